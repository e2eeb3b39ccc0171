import { Redis } from 'ioredis';
import { GCRA_LUA } from './gcra.lua';

/** Reply of the GCRA script: [allowed 0|1, remaining, resetMs, retryMs]. */
export type GcraReply = [number, number, number, number];

/** An ioredis client with the GCRA script registered as a command. */
export type RateLimitRedis = Redis & {
  /** Takes one token from `key` (EVALSHA, falling back to EVAL when Redis lost the script). */
  rateLimitGcra(key: string, intervalMs: number, burst: number): Promise<GcraReply>;
};

/** Longest pause between reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * Creates the rate limiter's Redis client. It never makes a request wait for Redis longer than
 * `commandTimeoutMs`: no offline queue (while disconnected, calls fail at once and the failure policy
 * decides), no resending of in-flight calls after a reconnect, and a command timeout. It reconnects by
 * itself, forever, with capped backoff.
 */
export function createRateLimitRedis(url: string, commandTimeoutMs: number): RateLimitRedis {
  const client = new Redis(url, {
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(1000, commandTimeoutMs),
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
    connectionName: 'ballast-rate-limit',
    // ioredis waits this long for a socket to end on disconnect, even one already closed by a failed
    // connection attempt: keep it short so shutdown is not held up.
    disconnectTimeout: 500,
  });
  client.defineCommand('rateLimitGcra', { numberOfKeys: 1, lua: GCRA_LUA });
  return client as RateLimitRedis;
}
