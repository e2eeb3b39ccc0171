import type { ExecutionContext } from '@nestjs/common';

/** Options of `@Idempotent()` (its own file: the interceptor reads them and the decorator binds the interceptor). */
export interface IdempotentOptions {
  /** Refuse a request without `Idempotency-Key` with 400. @default false */
  required?: boolean;
  /**
   * The authenticated principal (user id, API key id…) that scopes keys instead of the rate-limit client;
   * undefined falls back to the rate-limit client key.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the request as @RateLimitKey and the throttler type it
  principal?: (req: Record<string, any>, context: ExecutionContext) => string | undefined | Promise<string | undefined>;
}
