import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';

/** The `ETag` of a versioned resource, as GET and a conditional write send it. */
export const VERSION_ETAG_HEADER = {
  ETag: {
    description:
      'Strong entity tag of the current version; send it back in If-Match to change the resource, or in If-None-Match to get 304.',
    required: true,
    schema: { type: 'string', maxLength: 17, pattern: '^"\\d{1,15}"$' },
  },
};

/** The OpenAPI part of a conditional write: the `If-Match` header and its 412 (and, when required, 428) answers. */
export function ApiIfMatch(options: { required: boolean }): MethodDecorator {
  const decorators = [
    ApiHeader({
      name: 'If-Match',
      required: options.required,
      description: options.required
        ? 'The ETag of your last GET (or `*` to overwrite whatever is current).'
        : 'Optional: the ETag of your last GET, so that the write fails with 412 if the resource changed since.',
      schema: { type: 'string', maxLength: 200 },
    }),
    ApiResponse({ status: 412, description: 'If-Match does not name the current version: GET it again, then retry.' }),
  ];
  if (options.required) decorators.push(ApiResponse({ status: 428, description: 'If-Match is missing.' }));
  return applyDecorators(...decorators);
}
