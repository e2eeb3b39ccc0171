import { applyDecorators, Inject, SetMetadata, UseInterceptors } from '@nestjs/common';
import { PERMITS_METADATA, permitsToken } from './resilience.constants';
import { PermitsInterceptor } from './permits.interceptor';

/** Injects the {@link PermitPool} named `name` (`'db'`, `'external'`, or one declared with `forFeature`). */
export function InjectPermits(name: string): ParameterDecorator & PropertyDecorator {
  return Inject(permitsToken(name));
}

/**
 * Holds a permit of the pool `name` for the whole handler (controller or method): beyond the pool's capacity
 * the request gets 503 `permits-exhausted` with Retry-After at once. Declare the pool in the feature module
 * with `ResilienceModule.forFeature({ name, permits })`.
 */
export function UsePermits(name: string): ClassDecorator & MethodDecorator {
  return applyDecorators(SetMetadata(PERMITS_METADATA, name), UseInterceptors(PermitsInterceptor));
}
