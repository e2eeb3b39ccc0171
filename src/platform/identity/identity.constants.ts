/** Route metadata written by `@Public()`: no credential needed. */
export const PUBLIC_METADATA = 'ballast:identity:public';
/** Route metadata written by `@Scopes()`: the scopes a principal needs, all of them. */
export const SCOPES_METADATA = 'ballast:identity:scopes';

/** The name of the outbound HTTP client that fetches the JWKS (metric label `upstream`, health key). */
export const JWKS_UPSTREAM = 'jwks';

/** Largest credential read (bearer token or API key), in bytes: anything longer is refused without parsing it. */
export const MAX_CREDENTIAL_LENGTH = 8192;
/** Longest `sub` accepted: the principal id keys rate limits and stored idempotent responses. */
export const MAX_SUBJECT_LENGTH = 200;

/** The table of API keys (hashes only). */
export const API_KEYS_TABLE = 'api_keys';

/** The identity module's metric names. */
export const IDENTITY_METRIC = { authRequests: 'auth_requests_total' } as const;

/** `auth_requests_total{outcome}`: what authentication decided for a request. */
export const AUTH_OUTCOMES = ['authenticated', 'anonymous', 'missing', 'invalid', 'expired', 'forbidden', 'unavailable'] as const;
/** One of {@link AUTH_OUTCOMES}. */
export type AuthOutcome = (typeof AUTH_OUTCOMES)[number];
