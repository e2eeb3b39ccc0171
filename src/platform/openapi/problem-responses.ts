import type { OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_TYPE_PREFIX } from '../errors/problem-details';

/** An operation's `responses` map, as the document types it. */
type Responses = NonNullable<NonNullable<OpenAPIObject['paths'][string]['get']>['responses']>;

const PROBLEM_CONTENT = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } };
const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 1 } } };

/** RFC 9457 problem details, as every Ballast error is sent. */
export const PROBLEM_DETAILS_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', example: `${PROBLEM_TYPE_PREFIX}validation-error`, description: 'A URN naming the kind of problem.' },
    title: { type: 'string', example: 'Your request is not valid' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string', example: 'The request has invalid fields.' },
    errors: {
      type: 'array',
      description: 'For validation problems: every invalid field.',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
    requestId: { type: 'string', description: 'The request id, to find the matching log line.' },
  },
};

/**
 * Responses every API operation can produce because of the platform (not the feature): added to every
 * operation under /api, so a new feature is documented without a line of its own.
 */
export const PLATFORM_RESPONSES: Responses = {
  '400': { description: 'Malformed JSON, failed validation, unknown fields, or a bad id or query parameter.', content: PROBLEM_CONTENT },
  '429': {
    description: 'Rate limited: the client used up its token bucket.',
    headers: {
      ...RETRY_AFTER,
      'RateLimit-Policy': { description: 'The policy (IETF draft-ietf-httpapi-ratelimit-headers).', schema: { type: 'string' } },
      RateLimit: { description: 'Remaining quota and reset (IETF draft).', schema: { type: 'string' } },
    },
    content: PROBLEM_CONTENT,
  },
  '500': { description: 'Unexpected error; the detail is only in the log.', content: PROBLEM_CONTENT },
  '503': {
    description: 'Overloaded or a dependency is unavailable: concurrency limit, permits, database pool or upstream.',
    headers: RETRY_AFTER,
    content: PROBLEM_CONTENT,
  },
  '504': { description: 'The request deadline passed or an upstream call timed out.', content: PROBLEM_CONTENT },
};

/** Extra responses for operations with a request body. */
const BODY_RESPONSES: Responses = {
  '413': { description: 'The body is larger than BODY_LIMIT_BYTES.', content: PROBLEM_CONTENT },
  '415': { description: 'The body is not application/json.', content: PROBLEM_CONTENT },
};

/** Adds the problem schema and the platform responses to every operation under `/api`; keeps what a feature declared. */
export function addPlatformResponses(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, ProblemDetails: PROBLEM_DETAILS_SCHEMA };
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const method of ['get', 'put', 'post', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (!operation) continue;
      const extra = operation.requestBody ? { ...PLATFORM_RESPONSES, ...BODY_RESPONSES } : PLATFORM_RESPONSES;
      operation.responses = { ...extra, ...operation.responses };
      // Feature-declared error responses (e.g. @ApiNotFoundResponse) are problem+json as well.
      for (const [status, response] of Object.entries(operation.responses) as Array<[string, { content?: unknown }]>) {
        if (Number(status) >= 400 && response.content === undefined) response.content = PROBLEM_CONTENT;
      }
    }
  }
  return document;
}
