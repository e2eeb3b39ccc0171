import type { OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_TYPE_PREFIX } from '../errors/problem-details';
import { MAX_FIELD_ERRORS } from '../errors/validation.pipe';
import { REQUEST_ID_MAX_LENGTH } from '../observability/request-id';
import { applySecurity, REQUIRED_SCOPES_EXTENSION, SECURITY_SCHEMES } from './security-schemes';

/** An operation's `responses` map, as the document types it. */
type Responses = NonNullable<NonNullable<OpenAPIObject['paths'][string]['get']>['responses']>;
type Response = Responses[string];

const PROBLEM_CONTENT = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } };
/** Retry-After in seconds; a day bounds every wait Ballast asks for. */
export const RETRY_AFTER_HEADER = {
  'Retry-After': {
    description: 'Seconds to wait before retrying.',
    required: true,
    schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 86400 },
  },
};

/**
 * IETF draft-ietf-httpapi-ratelimit-headers, sent by the rate-limit guard on every response of a request that
 * reached it. `required` says whether the document promises them on that response: a request refused before the
 * guard (malformed JSON, body too large, wrong content type, admission control, deadline) has none.
 */
function rateLimitHeaders(required: boolean) {
  const when = required ? '' : ' Absent when the request was refused before the rate limiter.';
  return {
    'RateLimit-Policy': {
      description: `The quota policies that apply, e.g. \`"default";q=30;w=3\`.${when}`,
      required,
      schema: { type: 'string', maxLength: 512, pattern: '^"[\\w-]+";q=\\d+;w=\\d+(, ?"[\\w-]+";q=\\d+;w=\\d+)*$' },
    },
    RateLimit: {
      description: `Remaining quota and seconds to reset per policy, e.g. \`"default";r=29;t=1\`.${when}`,
      required,
      schema: { type: 'string', maxLength: 512, pattern: '^"[\\w-]+";r=\\d+;t=\\d+(, ?"[\\w-]+";r=\\d+;t=\\d+)*$' },
    },
  };
}

/** RFC 9457 problem details, as every Ballast error is sent. */
export const PROBLEM_DETAILS_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: {
      type: 'string',
      format: 'uri',
      maxLength: 200,
      example: `${PROBLEM_TYPE_PREFIX}validation-error`,
      description: 'A URN naming the kind of problem.',
    },
    title: { type: 'string', maxLength: 200, example: 'Your request is not valid' },
    status: { type: 'integer', format: 'int32', minimum: 400, maximum: 599, example: 400 },
    detail: { type: 'string', maxLength: 1000, example: 'The request has invalid fields.' },
    errors: {
      type: 'array',
      description: `For validation problems: every invalid field (at most ${MAX_FIELD_ERRORS}).`,
      maxItems: MAX_FIELD_ERRORS,
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: {
          field: { type: 'string', maxLength: 200, example: 'email' },
          message: { type: 'string', maxLength: 500, example: 'email is required' },
        },
      },
    },
    requestId: { type: 'string', maxLength: REQUEST_ID_MAX_LENGTH, description: 'The request id, to find the matching log line.' },
  },
};

/**
 * Responses every API operation can produce because of the platform (not the feature): added to every
 * operation under /api, so a new feature is documented without a line of its own.
 */
export const PLATFORM_RESPONSES: Responses = {
  '400': {
    description: 'Malformed JSON, failed validation, unknown fields, or a bad id or query parameter.',
    headers: rateLimitHeaders(false),
    content: PROBLEM_CONTENT,
  },
  '429': {
    description: 'Rate limited: the client used up its token bucket.',
    headers: { ...RETRY_AFTER_HEADER, ...rateLimitHeaders(true) },
    content: PROBLEM_CONTENT,
  },
  '500': { description: 'Unexpected error; the detail is only in the log.', content: PROBLEM_CONTENT },
  '503': {
    description: 'Overloaded or a dependency is unavailable: concurrency limit, permits, database pool or upstream.',
    headers: RETRY_AFTER_HEADER,
    content: PROBLEM_CONTENT,
  },
  '504': { description: 'The request deadline passed or an upstream call timed out.', content: PROBLEM_CONTENT },
};

/** RFC 6750's challenge on a 401 or 403 (`Bearer realm="api", error="invalid_token", …`). */
const WWW_AUTHENTICATE_HEADER = {
  'WWW-Authenticate': {
    description: 'The RFC 6750 challenge: `Bearer realm="api"`, with `error` and `error_description` when a credential was refused.',
    required: true,
    schema: { type: 'string', maxLength: 512, pattern: '^Bearer realm="api"(, [a-z_]+="[^"]*")*$' },
  },
};

/** Authentication refuses before the rate limiter runs: 401 and 403 carry the challenge, not the quota headers. */
const AUTH_STATUSES = new Set([401, 403]);

/** What an operation that needs a credential can answer because of it. */
function authResponses(scopes: string[] | undefined): Responses {
  return {
    '401': {
      description: 'No credential, or one that is malformed, expired or cannot be verified.',
      headers: { ...rateLimitHeaders(false), ...WWW_AUTHENTICATE_HEADER },
      content: PROBLEM_CONTENT,
    },
    '403': {
      description: `The credential lacks a scope this operation needs${scopes?.length ? ` (${scopes.join(', ')})` : ''}: \`insufficient_scope\`.`,
      headers: { ...rateLimitHeaders(false), ...WWW_AUTHENTICATE_HEADER },
      content: PROBLEM_CONTENT,
    },
  };
}

/** The edge checks a body on any method (a GET with a body gets them too), so every operation can answer these. */
const BODY_RESPONSES: Responses = {
  '413': { description: 'The body is larger than BODY_LIMIT_BYTES.', headers: rateLimitHeaders(false), content: PROBLEM_CONTENT },
  '415': { description: 'The body is not application/json.', headers: rateLimitHeaders(false), content: PROBLEM_CONTENT },
};

/** Express tags every GET answer that has a body with a weak ETag (http-server/weak-etag.ts), unless the route set its own. */
const ETAG_HEADER = {
  ETag: {
    description:
      'Entity tag: a weak hash of the body, or a strong version tag where the route declares one; send it back in If-None-Match to get 304 while it is unchanged.',
    required: false,
    schema: { type: 'string', maxLength: 64, pattern: '^(W/"[0-9a-f]+-[A-Za-z0-9+/]{27}"|"\\d{1,15}")$' },
  },
};

/** A GET whose If-None-Match matches the current ETag: Express answers 304 without a body. */
const NOT_MODIFIED: Responses = {
  '304': {
    description: 'Not Modified: If-None-Match matches the current ETag; no body.',
    headers: { ...ETAG_HEADER, ...rateLimitHeaders(true) },
  },
};

/**
 * Adds the problem schema and the platform responses to every operation under `/api`, keeping what a feature
 * declared; declares the rate-limit headers on the feature's own 2xx/4xx responses (the guard sends them on
 * every request it lets through).
 */
export function addPlatformResponses(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, ProblemDetails: PROBLEM_DETAILS_SCHEMA };
  document.components.securitySchemes = { ...document.components.securitySchemes, ...SECURITY_SCHEMES };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (!operation) continue;
      const secured = applySecurity(path, operation);
      if (!path.startsWith('/api/')) continue;
      const scopes = (operation as { [REQUIRED_SCOPES_EXTENSION]?: string[] })[REQUIRED_SCOPES_EXTENSION];
      const extra = {
        ...(method === 'get' ? NOT_MODIFIED : {}),
        ...PLATFORM_RESPONSES,
        ...BODY_RESPONSES,
        ...(secured ? authResponses(scopes) : {}),
      };
      const declared = operation.responses as Record<string, Response & { content?: unknown; headers?: Record<string, unknown> }>;
      for (const [status, response] of Object.entries(declared)) {
        // Feature-declared error responses (e.g. @ApiNotFoundResponse) are problem+json as well.
        if (Number(status) >= 400 && response.content === undefined) response.content = PROBLEM_CONTENT;
        if (AUTH_STATUSES.has(Number(status)))
          response.headers = { ...rateLimitHeaders(false), ...WWW_AUTHENTICATE_HEADER, ...response.headers };
        else if (Number(status) < 500) response.headers = { ...rateLimitHeaders(true), ...response.headers };
        // A route that declares its own ETag (a version tag) keeps it; the rest get Express's weak body hash.
        if (method === 'get' && Number(status) === 200) response.headers = { ...ETAG_HEADER, ...response.headers };
      }
      operation.responses = { ...extra, ...declared };
    }
  }
  return document;
}
