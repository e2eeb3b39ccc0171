import { errors, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import type { RequestPrincipal } from '../request-context';
import { MAX_SUBJECT_LENGTH } from './identity.constants';
import { AuthenticationError, AuthUnavailableError } from './identity.errors';
import type { JwksCache } from './jwks-cache';

/** How tokens are checked. */
export interface JwtVerifierSettings {
  issuer: string;
  audience: string;
  algorithms: string[];
  clockSkewSeconds: number;
}

/** How long a verified token is reused without verifying its signature again (capped by its `exp`). */
const VERIFIED_TTL_MS = 60_000;
/** Verified tokens remembered at most, and their total length (characters): the cache stays within a few MiB. */
const VERIFIED_MAX = 10_000;
const VERIFIED_MAX_CHARS = 4 * 1024 * 1024;

/** Algorithms that are never accepted, whatever the configuration says: `none`, and HMAC (a public key as a secret). */
const REFUSED_ALGORITHM = /^(none|HS\d+)$/i;

/**
 * Verifies JWT bearer tokens with jose against the identity provider's keys: signature, algorithm allow-list,
 * `iss`, `aud`, `exp`/`nbf` with the clock skew, and a `sub`. A token verified once is remembered (by its own
 * text, in a bounded LRU) until its `exp` or a minute, whichever comes first: the signature check is the cost
 * of this path (tens of µs for ES256), the lookup is not.
 */
export class JwtVerifier {
  private readonly verified = new LRUCache<string, { principal: RequestPrincipal; validUntil: number; notBefore: number }>({
    max: VERIFIED_MAX,
    maxSize: VERIFIED_MAX_CHARS,
    sizeCalculation: (_value, token) => token.length,
  });

  constructor(
    private readonly keys: JwksCache,
    private readonly settings: JwtVerifierSettings,
  ) {
    const refused = settings.algorithms.filter((alg) => REFUSED_ALGORITHM.test(alg));
    if (refused.length > 0) throw new Error(`JWT algorithms ${refused.join(', ')} are never accepted`);
  }

  /** The principal of a verified token from the cache, or undefined (then {@link verify}). */
  cached(token: string): RequestPrincipal | undefined {
    const entry = this.verified.get(token);
    if (entry === undefined) return undefined;
    const now = Date.now();
    if (now >= entry.validUntil || now < entry.notBefore) {
      this.verified.delete(token);
      return undefined;
    }
    return entry.principal;
  }

  /** Verifies `token`; raises {@link AuthenticationError} (401) or {@link AuthUnavailableError} (503). */
  async verify(token: string): Promise<RequestPrincipal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys.getKey, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: this.settings.algorithms,
        clockTolerance: this.settings.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw refusal(error);
    }
    const sub = payload.sub;
    if (typeof sub !== 'string' || sub === '' || sub.length > MAX_SUBJECT_LENGTH) {
      throw new AuthenticationError('invalid', 'The token is not valid.');
    }
    const principal: RequestPrincipal = { id: `jwt:${sub}`, kind: 'jwt', scopes: scopesOf(payload) };
    const skewMs = this.settings.clockSkewSeconds * 1000;
    this.verified.set(token, {
      principal,
      validUntil: Math.min((payload.exp as number) * 1000 + skewMs, Date.now() + VERIFIED_TTL_MS),
      notBefore: typeof payload.nbf === 'number' ? payload.nbf * 1000 - skewMs : -Infinity,
    });
    return principal;
  }
}

/** The error a failed verification is answered with: a fixed sentence per kind, never jose's message. */
function refusal(error: unknown): Error {
  if (error instanceof AuthUnavailableError) return error;
  if (error instanceof errors.JWTExpired) return new AuthenticationError('expired', 'The token has expired.', error);
  return new AuthenticationError('invalid', 'The token is not valid.', error);
}

/** Scopes from `scope` (space-separated, RFC 8693) or `scp` (a list or a string, as some providers send them). */
function scopesOf(payload: JWTPayload): ReadonlySet<string> {
  const raw = payload['scope'] ?? payload['scp'];
  if (typeof raw === 'string') return new Set(raw.split(' ').filter((s) => s !== ''));
  if (Array.isArray(raw)) return new Set(raw.filter((s): s is string => typeof s === 'string'));
  return new Set();
}
