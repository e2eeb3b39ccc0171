import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_REPLAYED_HEADER, MAX_KEY_LENGTH } from './idempotency.constants';

/** @nestjs/swagger's metadata key of `@ApiResponse` (its DECORATORS.API_RESPONSE; the constants file is not exported). */
const API_RESPONSE_METADATA = 'swagger/apiResponse';

const IN_PROGRESS = `A request with the same ${IDEMPOTENCY_KEY_HEADER} is still running (retry after Retry-After).`;

/**
 * The OpenAPI part of `@Idempotent`: the header parameter and the 409/422 responses. A 409 the route declared already
 * (e.g. a duplicate) keeps its description, with the in-progress case appended.
 */
export function ApiIdempotency(options: { required?: boolean }): MethodDecorator {
  return (target, key, descriptor) => {
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: options.required === true,
      description: `Makes a retry safe: the first request's outcome is stored and a repeat with the same key and body gets it back with \`${IDEMPOTENCY_REPLAYED_HEADER}: true\`. 1–${MAX_KEY_LENGTH} visible ASCII characters, e.g. a UUID.`,
      schema: { type: 'string', maxLength: MAX_KEY_LENGTH },
    })(target, key, descriptor);
    const declared = (Reflect.getMetadata(API_RESPONSE_METADATA, descriptor.value as object) ?? {}) as Record<
      string,
      { description?: string }
    >;
    const conflict = declared['409']?.description;
    ApiResponse({ status: 409, description: conflict ? `${conflict} Or: ${IN_PROGRESS}` : IN_PROGRESS })(target, key, descriptor);
    ApiResponse({ status: 422, description: `The ${IDEMPOTENCY_KEY_HEADER} was used before with another method, path or body.` })(
      target,
      key,
      descriptor,
    );
  };
}
