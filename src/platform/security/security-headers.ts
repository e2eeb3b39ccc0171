import type { SecurityHeadersOptions } from '@nestjs/common';
import type { AllConfig } from '../../config/app-config';

/**
 * Response security headers for a JSON API, through Nest's built-in `app.useSecurityHeaders()` (helmet 8's
 * headers and defaults, with no extra dependency). Changed from those defaults:
 * - Content-Security-Policy `default-src 'none'; frame-ancestors 'none'`: a JSON response loads nothing and
 *   is never framed, so a response rendered by mistake (an HTML-sniffing client) can run nothing.
 * - X-Frame-Options `DENY` for browsers without `frame-ancestors`.
 * - Strict-Transport-Security from HSTS_MAX_AGE_SECONDS (0: not sent), without `includeSubDomains`: the
 *   service cannot know which sibling hosts serve HTTPS; the edge that owns the domain decides that.
 * Everything else keeps helmet's defaults (nosniff, `Referrer-Policy: no-referrer`, same-origin
 * CORP/COOP, no X-Powered-By, ...).
 */
export function securityHeadersOptions(security: AllConfig['security']): SecurityHeadersOptions {
  return {
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: security.hstsMaxAgeSeconds > 0 ? { maxAge: security.hstsMaxAgeSeconds, includeSubDomains: false } : false,
    xPoweredBy: true,
  };
}
