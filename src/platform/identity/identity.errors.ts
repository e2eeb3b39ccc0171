import { ProblemError, ServiceUnavailableError } from '../errors/problem.error';

/** Why a credential was refused (RFC 6750 `error`); `missing` sends no error code, as RFC 6750 asks. */
export type CredentialProblem = 'missing' | 'invalid' | 'expired' | 'invalid_request';

/** A quoted-string parameter value: the fixed sentences below hold no quote or backslash, this keeps it so. */
function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '')}"`;
}

/**
 * 401: no credential, or one that cannot be verified. `WWW-Authenticate: Bearer` with RFC 6750's `error` and
 * `error_description`; the detail is a fixed sentence per kind, never the token, the key or the library's message.
 */
export class AuthenticationError extends ProblemError {
  constructor(
    readonly problem: CredentialProblem,
    detail: string,
    cause?: unknown,
  ) {
    const challenge =
      problem === 'missing'
        ? 'Bearer realm="api"'
        : `Bearer realm="api", error="${problem === 'invalid_request' ? 'invalid_request' : 'invalid_token'}", error_description=${quoted(detail)}`;
    super(401, 'unauthenticated', 'Authentication required', detail, { headers: { 'WWW-Authenticate': challenge }, cause });
  }
}

/** 403: authenticated, but the credential lacks a scope the route needs (RFC 6750 `insufficient_scope`). */
export class InsufficientScopeError extends ProblemError {
  constructor(readonly required: readonly string[]) {
    const scope = required.join(' ');
    super(403, 'insufficient-scope', 'Insufficient scope', `This operation needs the scope(s): ${scope}.`, {
      headers: {
        'WWW-Authenticate': `Bearer realm="api", error="insufficient_scope", error_description="The credential lacks a required scope", scope=${quoted(scope)}`,
      },
    });
  }
}

/** 503: no signing key of the identity provider is usable (never fetched, or kept past its bound); retry later. */
export class AuthUnavailableError extends ServiceUnavailableError {
  constructor(retryAfterSeconds: number, cause?: unknown) {
    super(
      'auth-unavailable',
      "The identity provider's signing keys are unavailable; the token could not be checked. Retry after the Retry-After delay.",
      retryAfterSeconds,
      cause,
    );
  }
}
