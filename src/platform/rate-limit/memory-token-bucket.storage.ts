import type { ThrottlerStorage } from '@nestjs/throttler';
import { type GcraDecision, takeToken } from './gcra';

/** What a @nestjs/throttler storage answers (the package does not export the interface's name). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Options of {@link MemoryTokenBucketStorage}. */
export interface MemoryTokenBucketOptions {
  /** Most buckets kept; beyond, the least recently seen one is dropped. @default 100000 */
  maxKeys?: number;
  /** Monotonic clock in ms. @default performance.now */
  now?: () => number;
  /** Called when a live bucket is dropped at the cap (a metric). */
  onEvict?: () => void;
}

/** Buckets examined for idleness per request: enough to outpace insertions, small enough to stay O(1). */
const SWEEP_PER_REQUEST = 2;

/**
 * In-process token buckets (GCRA: one number per client). Memory is bounded without timers:
 * - the Map is kept in least-recently-seen order (every request moves its key to the end);
 * - each request looks at the oldest two entries and drops them if their bucket is full again (a full
 *   bucket carries no information), so idle clients disappear as traffic flows;
 * - at `maxKeys`, the least recently seen client's bucket is dropped even if not full: that client starts
 *   again with a full bucket. Active (and refused) clients are always recent, so a flood of new addresses
 *   cannot reset the bucket of a client that keeps sending.
 */
export class MemoryTokenBucketStorage implements ThrottlerStorage {
  private readonly buckets = new Map<string, number>();
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly onEvict: () => void;

  constructor(options: MemoryTokenBucketOptions = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? (() => performance.now());
    this.onEvict = options.onEvict ?? (() => undefined);
  }

  /** Buckets currently held. */
  get size(): number {
    return this.buckets.size;
  }

  /** @nestjs/throttler contract: `limit` is the burst, `ttl` the time to refill it (so `limit/ttl` is the rate). */
  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    return toThrottlerRecord(this.take(key, ttl / limit, limit), limit);
  }

  /** Takes one token from `key`'s bucket (synchronous: used by the Redis store's local fallback too). */
  take(key: string, intervalMs: number, burst: number): GcraDecision {
    const now = this.now();
    const stored = this.buckets.get(key);
    const decision = takeToken(stored, now, intervalMs, burst);
    if (stored !== undefined) this.buckets.delete(key);
    else this.makeRoom(now);
    this.buckets.set(key, decision.tat);
    this.sweep(now);
    return decision;
  }

  private makeRoom(now: number): void {
    this.sweep(now);
    while (this.buckets.size >= this.maxKeys) {
      const oldest = this.buckets.keys().next();
      if (oldest.done) return;
      const tat = this.buckets.get(oldest.value) as number;
      this.buckets.delete(oldest.value);
      if (tat > now) this.onEvict();
    }
  }

  private sweep(now: number): void {
    let examined = 0;
    for (const [key, tat] of this.buckets) {
      if (examined++ === SWEEP_PER_REQUEST || tat > now) return;
      this.buckets.delete(key);
    }
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
