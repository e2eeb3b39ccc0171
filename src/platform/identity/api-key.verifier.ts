import { LRUCache } from 'lru-cache';
import type { RequestPrincipal } from '../request-context';
import { hashApiKey, looksLikeApiKey } from './api-key';
import type { ApiKeyRepository } from './api-key.repository';
import { AuthenticationError } from './identity.errors';

/** A lookup's outcome as cached: the principal and until when it is valid, or null for an unknown/revoked key. */
interface Entry {
  principal: RequestPrincipal | null;
  /** The key's own expiry (ms since epoch), Infinity without one. */
  expiresAt: number;
}

/**
 * Verifies `X-API-Key` values against the stored hashes. Lookups — found or not — are kept in a bounded LRU for
 * `ttlMs` so that a key costs one database round trip per TTL, not one per request; a key revoked in another
 * process (the `api-key` command) stops working when its entry expires, one revoked here at once.
 */
export class ApiKeyVerifier {
  private readonly cache: LRUCache<string, Entry>;

  constructor(
    private readonly repository: ApiKeyRepository,
    ttlMs: number,
    max: number,
  ) {
    this.cache = new LRUCache<string, Entry>({ max, ttl: Math.max(1, ttlMs), ttlAutopurge: false });
  }

  /** The cached answer for `key`: a principal, null (refused), or undefined (not cached: call {@link verify}). */
  cached(key: string): RequestPrincipal | null | undefined {
    const entry = this.cache.get(key);
    if (entry === undefined) return undefined;
    if (entry.principal !== null && Date.now() >= entry.expiresAt) return null;
    return entry.principal;
  }

  /** Looks the key up; raises {@link AuthenticationError} for an unknown, revoked or expired key. */
  async verify(key: string): Promise<RequestPrincipal> {
    const cached = this.cached(key);
    if (cached === null) throw invalidKey();
    if (cached !== undefined) return cached;
    if (!looksLikeApiKey(key)) throw invalidKey();
    const record = await this.repository.findActive(hashApiKey(key));
    const entry: Entry = record
      ? {
          principal: { id: `key:${record.id}`, kind: 'api_key', scopes: new Set(record.scopes) },
          expiresAt: record.expiresAt?.getTime() ?? Infinity,
        }
      : { principal: null, expiresAt: 0 };
    this.cache.set(key, entry);
    if (entry.principal === null) throw invalidKey();
    return entry.principal;
  }

  /** Forgets every cached lookup (after a revoke in this process). */
  clear(): void {
    this.cache.clear();
  }
}

function invalidKey(): AuthenticationError {
  return new AuthenticationError('invalid', 'The API key is not valid.');
}
