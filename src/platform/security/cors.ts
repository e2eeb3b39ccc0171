import type { CorsOptions } from '@nestjs/common/internal';
import type { AllConfig } from '../../config/app-config';

/** Response headers a browser script may read on a cross-origin response (backoff and correlation). */
const EXPOSED_HEADERS = ['Retry-After', 'RateLimit', 'RateLimit-Policy', 'X-Request-Id', 'Location'];

/** How long a browser may cache a preflight answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS options for the allow-list in CORS_ORIGINS, or `undefined` when the list is empty: then no CORS
 * header is ever sent and browsers keep the same-origin policy. No credentials: the API authenticates
 * with no cookie, and `*` with credentials is refused by browsers anyway. An origin not on the list gets
 * a response without `Access-Control-Allow-Origin` (the browser hides it from the script), not an error.
 */
export function corsOptions(security: AllConfig['security']): CorsOptions | undefined {
  if (security.corsOrigins.length === 0) return undefined;
  return {
    origin: security.corsOrigins[0] === '*' ? '*' : security.corsOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    credentials: false,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
  };
}
