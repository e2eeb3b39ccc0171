import { Logger } from '@nestjs/common';
import { createLocalJWKSet, type JSONWebKeySet, type JWSHeaderParameters, type FlattenedJWSInput } from 'jose';
import type { HttpClient } from '../http-client';
import { runInRequestContext } from '../request-context/request-context';
import { AuthUnavailableError } from './identity.errors';

/** How the cache is driven; times in ms. */
export interface JwksCacheSettings {
  /** Path (and query) of the JWKS below the client's base URL. */
  path: string;
  refreshMs: number;
  cooldownMs: number;
  maxStaleMs: number;
  /** Monotonic clock. @default performance.now */
  now?: () => number;
}

type KeyResolver = ReturnType<typeof createLocalJWKSet>;
type ResolvedKey = Awaited<ReturnType<KeyResolver>>;

/**
 * The identity provider's signing keys, fetched through the platform's outbound client (caps, timeouts, breaker)
 * and kept in memory. One fetch at a time, and at most one per cooldown whatever asks for it — so a flood of tokens
 * naming unknown `kid`s costs at most one fetch per interval. Keys are refreshed in the background once
 * `refreshMs` old, and used for `maxStaleMs` after the last good fetch while the provider cannot be reached;
 * with none usable, verification fails with 503 `auth-unavailable`. jose's `createRemoteJWKSet` is not used
 * because it fetches with its own `fetch`, outside the platform's bounded client.
 */
export class JwksCache {
  private resolver: KeyResolver | undefined;
  private kids = new Set<string>();
  private fetchedAt = -Infinity;
  private attemptedAt = -Infinity;
  private inFlight: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly logger = new Logger('Identity');
  /** Fetches attempted since start (successful or not). */
  fetches = 0;

  constructor(
    private readonly client: HttpClient,
    private readonly settings: JwksCacheSettings,
  ) {
    this.now = settings.now ?? (() => performance.now());
  }

  /** Fetches the keys once at start, without waiting: the first requests then find them. */
  onApplicationBootstrap(): void {
    void this.refreshIfAllowed(this.now());
  }

  /** jose's key lookup for `jwtVerify`: the key for the token's header, fetching first when needed and allowed. */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<ResolvedKey> => {
    const now = this.now();
    const age = now - this.fetchedAt;
    const known = this.resolver !== undefined && age <= this.settings.maxStaleMs;
    const unknownKid = header.kid === undefined ? false : !this.kids.has(header.kid);
    if (!known || unknownKid) await this.refreshIfAllowed(now);
    else if (age >= this.settings.refreshMs) void this.refreshIfAllowed(now);
    const resolver = this.resolver;
    if (resolver === undefined || this.now() - this.fetchedAt > this.settings.maxStaleMs) {
      throw new AuthUnavailableError(Math.ceil(this.cooldownLeftMs() / 1000));
    }
    return resolver(header, token);
  };

  /** Fetches now unless a fetch runs (then waits for it) or the cooldown since the last attempt has not passed. */
  private refreshIfAllowed(now: number): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (now - this.attemptedAt < this.settings.cooldownMs) return Promise.resolve();
    this.attemptedAt = now;
    this.inFlight = this.fetch().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private cooldownLeftMs(): number {
    return Math.max(1000, this.settings.cooldownMs - (this.now() - this.attemptedAt));
  }

  /** One fetch; a failure keeps the keys held (logged, never raised: the callers decide with what is held). */
  private async fetch(): Promise<void> {
    this.fetches++;
    try {
      // Outside the request that triggered it: the keys serve every request, so that request's deadline or
      // disconnect must not cut the fetch short.
      const response = await runInRequestContext({ startedAt: performance.now() }, () =>
        this.client.get(this.settings.path, { headers: { accept: 'application/jwk-set+json, application/json' } }),
      );
      const body: unknown = typeof response.body === 'string' ? JSON.parse(response.body) : response.body;
      if (response.status !== 200 || !isKeySet(body)) throw new Error(`unusable JWKS answer (HTTP ${response.status})`);
      this.resolver = createLocalJWKSet(body);
      this.kids = new Set(body.keys.flatMap((key) => (typeof key.kid === 'string' ? [key.kid] : [])));
      this.fetchedAt = this.now();
    } catch (error) {
      const held = this.resolver ? 'keeping the keys fetched before' : 'no keys yet: tokens are answered 503 auth-unavailable';
      this.logger.warn(`JWKS fetch failed (${error instanceof Error ? error.constructor.name : 'error'}); ${held}`);
    }
  }
}

function isKeySet(body: unknown): body is JSONWebKeySet {
  return typeof body === 'object' && body !== null && Array.isArray((body as { keys?: unknown }).keys);
}
