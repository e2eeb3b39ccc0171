import type { OpenAPIObject } from '@nestjs/swagger';

/** The document's security scheme names: a JWT bearer token, or an API key. */
export const SECURITY_SCHEME = { bearer: 'bearer', apiKey: 'apiKey' } as const;

/** Operation extension listing the scopes a route needs (OpenAPI 3.0 puts scope lists on OAuth2 schemes only). */
export const REQUIRED_SCOPES_EXTENSION = 'x-required-scopes';

/** `components.securitySchemes`: how a caller authenticates. */
export const SECURITY_SCHEMES = {
  [SECURITY_SCHEME.bearer]: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "A JWT from the identity provider (AUTH_JWKS_URL), with the operation's scopes in `scope` or `scp`. Verified as RFC8725 " +
      '(JSON Web Token Best Current Practices) asks: an asymmetric algorithm allow-list (never `none` or HMAC), the key ' +
      'from the JWKS by `kid`, `iss`, `aud`, `exp` and `nbf`.',
  },
  [SECURITY_SCHEME.apiKey]: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'An API key created with `npm run api-key -- create --name <n> --scopes <a,b>`.',
  },
} as const;

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']> & { [REQUIRED_SCOPES_EXTENSION]?: string[] };

/**
 * Whether an operation needs a credential, as the identity guard decides it: every operation under `/api` unless
 * it is public (`@Public()`: an empty requirement, `security: [{}]`), and any operation that names scopes.
 * Sets its `security` accordingly (both schemes, or the empty requirement) and answers the question.
 */
export function applySecurity(path: string, operation: Operation): boolean {
  const isPublic = operation.security?.length === 1 && Object.keys(operation.security[0]).length === 0;
  const secured = !isPublic && (path.startsWith('/api/') || operation[REQUIRED_SCOPES_EXTENSION] !== undefined);
  operation.security = secured ? [{ [SECURITY_SCHEME.bearer]: [] }, { [SECURITY_SCHEME.apiKey]: [] }] : [{}];
  return secured;
}
