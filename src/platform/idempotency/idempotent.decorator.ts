import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { ApiIdempotency } from './idempotency.openapi';
import { IDEMPOTENT_METADATA } from './idempotency.constants';
import { IdempotencyInterceptor } from './idempotency.interceptor';

/** Options of {@link Idempotent}. */
export interface IdempotentOptions {
  /** Refuse a request without `Idempotency-Key` with 400. @default false */
  required?: boolean;
  /**
   * The authenticated principal (user id, API key id…) that scopes keys instead of the rate-limit client;
   * undefined falls back to the rate-limit client key.
   */
  principal?: (req: Record<string, any>, context: ExecutionContext) => string | undefined | Promise<string | undefined>;
}

/**
 * Marks a handler idempotent under `Idempotency-Key`: writes the options as metadata and binds the interceptor that
 * reads them, plus the OpenAPI header and 409/422 responses. Place it above the route's own `@Api*Response`s so the
 * 409 descriptions merge.
 */
export function Idempotent(options: IdempotentOptions = {}): MethodDecorator {
  return applyDecorators(SetMetadata(IDEMPOTENT_METADATA, options), UseInterceptors(IdempotencyInterceptor), ApiIdempotency(options));
}
