import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Counter } from 'prom-client';
import { IntervalLogger } from '../observability/interval-logger';
import { type MemoryTokenBucketStorage, type ThrottlerStorageRecord, toThrottlerRecord } from './memory-token-bucket.storage';
import { REDIS_KEY_PREFIX } from './rate-limit.constants';
import type { RateLimitRedis } from './rate-limit-redis';
import { RateLimitUnavailableError } from './rate-limit-unavailable.error';

/** Who decides while Redis does not answer: the per-process limiter, nobody (allow), or refusal (503). */
export type RedisFailurePolicy = 'local' | 'open' | 'closed';

/** Collaborators of {@link RedisTokenBucketStorage}. */
export interface RedisTokenBucketDeps {
  client: RateLimitRedis;
  /** The per-process limiter used under the `local` policy. */
  local: MemoryTokenBucketStorage;
  policy: RedisFailurePolicy;
  /** `rate_limit_store_errors_total`: failed Redis calls. */
  storeErrors: Counter<string>;
  /** `rate_limit_fallback_total{policy}`: requests decided by the failure policy. */
  fallbacks: Counter<string>;
  /** After a failed call, Redis is left alone this long (ms), so a hung server costs one timeout, not one per request. @default 1000 */
  holdDownMs?: number;
  /** At start, wait this long (ms) for the first connection before serving on the failure policy. @default 1000 */
  startupWaitMs?: number;
}

const LOG_INTERVAL_MS = 10_000;
const ALLOW: ThrottlerStorageRecord = { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };

/**
 * Token buckets shared by every replica through Redis (one atomic GCRA script per request, Redis's clock).
 * Never waits longer than the client's command timeout and never throws a 500: while Redis is down, slow
 * or refusing, the configured policy decides, each decision is counted, and the outage is logged a few
 * times, not once per request. Closes its connection at shutdown.
 */
export class RedisTokenBucketStorage implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly outageLog = new IntervalLogger(this.logger, LOG_INTERVAL_MS);
  private readonly holdDownMs: number;
  private unhealthyUntil = 0;
  private degraded = false;

  constructor(private readonly deps: RedisTokenBucketDeps) {
    this.holdDownMs = deps.holdDownMs ?? 1000;
    deps.client.on('error', (error: Error) => this.markDegraded(`Redis error: ${error.message}`));
    deps.client.on('ready', () => {
      if (!this.degraded) return;
      this.degraded = false;
      this.unhealthyUntil = 0;
      this.outageLog.reset();
      this.logger.log('Redis rate-limit store reachable again: limits are shared across replicas');
    });
  }

  /** Gives Redis a moment to connect, so the first requests are not decided by the failure policy; never blocks the boot for long. */
  async onModuleInit(): Promise<void> {
    const { client } = this.deps;
    if (client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, this.deps.startupWaitMs ?? 1000);
      client.once('ready', done);
    });
  }

  /** Buckets held by the local fallback. */
  get size(): number {
    return this.deps.local.size;
  }

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const { client } = this.deps;
    if (client.status !== 'ready') {
      this.markDegraded(`Redis not connected (${client.status})`);
    } else if (performance.now() >= this.unhealthyUntil) {
      try {
        const [allowed, remaining, resetMs, retryMs] = await client.rateLimitGcra(REDIS_KEY_PREFIX + key, ttl / limit, limit);
        return toThrottlerRecord({ allowed: allowed === 1, remaining, resetMs, retryMs, tat: 0 }, limit);
      } catch (error) {
        this.deps.storeErrors.inc();
        this.unhealthyUntil = performance.now() + this.holdDownMs;
        // A timed-out call may sit on a connection that will never answer again (half-open, black-holed): it is
        // dropped and a fresh one made, or the limiter stays on its failure policy after the network healed.
        if (error instanceof Error && /timed out/i.test(error.message)) client.disconnect(true);
        this.markDegraded(`Redis call failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return this.failOver(key, ttl, limit);
  }

  private failOver(key: string, ttl: number, limit: number): ThrottlerStorageRecord {
    const { policy, fallbacks, local } = this.deps;
    fallbacks.inc({ policy });
    if (policy === 'local') return toThrottlerRecord(local.take(key, ttl / limit, limit), limit);
    if (policy === 'open') return ALLOW;
    throw new RateLimitUnavailableError();
  }

  private markDegraded(reason: string): void {
    this.degraded = true;
    this.outageLog.warn(`${reason}; RATE_LIMIT_REDIS_FAILURE=${this.deps.policy}: ${POLICY_EFFECT[this.deps.policy]}`);
  }

  /** Nest's hook: a no-op after the ShutdownRegistry's `clients` phase closed the connection (rate-limit-storage.provider.ts). */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** QUITs the connection (or cuts it when QUIT fails); idempotent. */
  async close(): Promise<void> {
    const { client } = this.deps;
    try {
      if (client.status === 'ready') await client.quit();
    } catch {
      // QUIT failed or timed out: the disconnect below closes the socket anyway
    } finally {
      client.disconnect();
    }
  }
}

const POLICY_EFFECT: Record<RedisFailurePolicy, string> = {
  local: 'each process limits on its own until Redis answers',
  open: 'requests are not limited until Redis answers',
  closed: 'requests are refused (503) until Redis answers',
};
