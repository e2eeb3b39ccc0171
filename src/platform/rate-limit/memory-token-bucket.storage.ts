import type { ThrottlerStorage } from '@nestjs/throttler';
import { type GcraDecision, takeToken } from './gcra';

/** What a @nestjs/throttler storage answers (the package does not export the interface's name). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Options of {@link MemoryTokenBucketStorage}. */
export interface MemoryTokenBucketOptions {
  /** Most buckets kept. @default 100000 */
  maxKeys?: number;
  /** Monotonic clock in ms. @default performance.now */
  now?: () => number;
  /** Called for each live (not yet full) bucket dropped at the cap (a metric). */
  onEvict?: (count: number) => void;
}

/**
 * In-process token buckets (GCRA: one number per client), bounded without timers or scans on the hot
 * path. Buckets live in two generations (the scheme of `quick-lru`): requests write to `current`, a
 * bucket found in `previous` moves to `current`, and `current` becomes `previous` (dropping the old
 * `previous` whole) when
 * - it holds maxKeys/2 clients (the cap: at most maxKeys buckets in all; a client not seen while
 *   maxKeys/2 other clients arrived loses its bucket and starts again full; counted in onEvict), or
 * - the longest refill time has passed since the last turn (idle eviction: a bucket untouched for that
 *   long is full again, so dropping it loses nothing).
 * A client that keeps sending (refused or not) stays in `current`: a flood of new addresses cannot reset it.
 */
export class MemoryTokenBucketStorage implements ThrottlerStorage {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();
  private readonly generationSize: number;
  private readonly now: () => number;
  private readonly onEvict: (count: number) => void;
  private turnedAt: number;
  private longestRefillMs = 0;

  constructor(options: MemoryTokenBucketOptions = {}) {
    this.generationSize = Math.max(1, Math.floor((options.maxKeys ?? 100_000) / 2));
    this.now = options.now ?? (() => performance.now());
    this.onEvict = options.onEvict ?? (() => undefined);
    this.turnedAt = this.now();
  }

  /** Buckets currently held. */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  /** @nestjs/throttler contract: `limit` is the burst, `ttl` the time to refill it (so `limit/ttl` is the rate). */
  increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    return Promise.resolve(toThrottlerRecord(this.take(key, ttl / limit, limit), limit));
  }

  /** Takes one token from `key`'s bucket (synchronous: used by the Redis store's local fallback too). */
  take(key: string, intervalMs: number, burst: number): GcraDecision {
    const now = this.now();
    const refillMs = intervalMs * burst;
    if (refillMs > this.longestRefillMs) this.longestRefillMs = refillMs;
    if (now - this.turnedAt >= this.longestRefillMs) this.turn(now, false);
    let stored = this.current.get(key);
    if (stored === undefined) {
      stored = this.previous.get(key);
      if (stored !== undefined) this.previous.delete(key);
    }
    const decision = takeToken(stored, now, intervalMs, burst);
    this.current.set(key, decision.tat);
    if (this.current.size >= this.generationSize) this.turn(now, true);
    return decision;
  }

  private turn(now: number, atCap: boolean): void {
    if (atCap) {
      // O(maxKeys/2) once per maxKeys/2 new clients: O(1) per request, only to count what the cap cost.
      let live = 0;
      for (const tat of this.previous.values()) if (tat > now) live++;
      if (live > 0) this.onEvict(live);
    }
    this.previous = this.current;
    this.current = new Map();
    this.turnedAt = now;
  }
}

/** Maps a decision onto @nestjs/throttler's record (times in whole seconds, as the stock storage). */
export function toThrottlerRecord(decision: GcraDecision, limit: number): ThrottlerStorageRecord {
  return {
    totalHits: limit - decision.remaining,
    timeToExpire: Math.ceil(decision.resetMs / 1000),
    isBlocked: !decision.allowed,
    timeToBlockExpire: Math.ceil(decision.retryMs / 1000),
  };
}
