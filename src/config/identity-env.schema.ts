import { boolVar, intVar, stringVar, urlVar } from './env.helpers';

/** JWS algorithms a token may be signed with: asymmetric only, so a public key can never serve as an HMAC secret. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const ALGORITHM_LIST = new RegExp(`^(${ASYMMETRIC_ALGORITHMS.join('|')})(\\s*,\\s*(${ASYMMETRIC_ALGORITHMS.join('|')}))*$`);

/** The identity variables (authentication: JWT bearer tokens against a JWKS, API keys); see docs/identity.md. */
export const identityEnvShape = {
  AUTH_DISABLED: boolVar(false),
  AUTH_JWKS_URL: urlVar(['http:', 'https:']),
  AUTH_ISSUER: stringVar('', /^\S{1,512}$/, 'the issuer (`iss`) tokens must carry, without spaces'),
  AUTH_AUDIENCE: stringVar('', /^\S{1,512}$/, 'the audience (`aud`) tokens must carry, without spaces'),
  AUTH_ALGORITHMS: stringVar(
    'RS256,ES256',
    ALGORITHM_LIST,
    `a comma-separated list of ${ASYMMETRIC_ALGORITHMS.join(', ')} (none and HMAC algorithms are refused)`,
  ),
  AUTH_CLOCK_SKEW_SECONDS: intVar(30, 0, 300),
  AUTH_JWKS_REFRESH_SECONDS: intVar(300, 10, 86_400),
  AUTH_JWKS_COOLDOWN_SECONDS: intVar(30, 1, 3600),
  AUTH_JWKS_MAX_STALE_SECONDS: intVar(86_400, 60, 7 * 86_400),
  AUTH_API_KEY_CACHE_SECONDS: intVar(30, 0, 3600),
  AUTH_FAILURES_PER_MINUTE: intVar(20, 1, 100_000),
  AUTH_SPAN_PRINCIPAL: boolVar(true),
};
