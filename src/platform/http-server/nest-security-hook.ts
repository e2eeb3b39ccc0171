import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Nest's own security-header hook (`app.useSecurityHeaders()`), kept on the application instance. */
export interface SecurityHook {
  handle(req: IncomingMessage, res: ServerResponse): unknown;
}

/**
 * PRIVATE INTERNALS of @nestjs/core, read here alone. Admission control answers a refusal in front of Express
 * (configure-http-server.ts), and that answer must carry the security headers `app.useSecurityHeaders()`
 * configured; Nest 12 keeps that hook on the application as the private field `securityHook`, with no public
 * getter. When a Nest release renames it, this returns undefined and warns at boot: admission then runs inside
 * Express, after the headers (correct, a little dearer). nest-security-hook.spec.ts fails on that release.
 */
export function nestSecurityHook(app: NestExpressApplication): SecurityHook | undefined {
  const hook = (app as unknown as { securityHook?: Partial<SecurityHook> }).securityHook;
  if (typeof hook?.handle === 'function') return hook as SecurityHook;
  new Logger('HttpServer').warn(
    "Nest's private securityHook is not where Nest 12 keeps it: admission control runs inside Express instead of in front of it",
  );
  return undefined;
}
