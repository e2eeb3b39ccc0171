import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiIdempotency } from './idempotency.openapi';
import { IDEMPOTENT_METADATA } from './idempotency.constants';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import type { IdempotentOptions } from './idempotent-options.interface';

export type { IdempotentOptions } from './idempotent-options.interface';

/**
 * Marks a handler idempotent under `Idempotency-Key`: writes the options as metadata and binds the interceptor that
 * reads them, plus the OpenAPI header and 409/422 responses. Place it above the route's own `@Api*Response`s so the
 * 409 descriptions merge.
 */
export function Idempotent(options: IdempotentOptions = {}): MethodDecorator {
  return applyDecorators(SetMetadata(IDEMPOTENT_METADATA, options), UseInterceptors(IdempotencyInterceptor), ApiIdempotency(options));
}
