import { type CustomDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { RATE_LIMIT_KEY_METADATA, RATE_LIMIT_POLICY_METADATA } from './rate-limit.constants';

/** Returns what identifies the client for rate limiting (an API key id, a user id), or undefined to fall back to the IP. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the request as @nestjs/throttler's getTracker types it: whatever the auth layer put on it
export type RateLimitKeyFn = (req: Record<string, any>, context: ExecutionContext) => string | undefined | Promise<string | undefined>;

/**
 * Keys a route's or controller's buckets by something other than the client IP, e.g.
 * `@RateLimitKey((req) => req.user?.id)`. Values are hashed before they are stored, but return an
 * identifier, not a secret. Requests for which it returns nothing are keyed by IP.
 */
export const RateLimitKey = (fn: RateLimitKeyFn): CustomDecorator<string> => SetMetadata(RATE_LIMIT_KEY_METADATA, fn);

/**
 * Opts a route or controller into named opt-in policies (e.g. `STRICT_POLICY`), each a separate bucket
 * per client on top of the API-wide default one. Clients share one bucket per policy across all routes
 * that name it.
 */
export const RateLimitPolicy = (...names: string[]): CustomDecorator<string> => SetMetadata(RATE_LIMIT_POLICY_METADATA, names);

/**
 * A token bucket in @nestjs/throttler's terms, for `@Throttle({ default: tokenBucket({ burst: 5, perSecond: 0.5 }) })`:
 * `limit` is the burst and `ttl` the time to refill it, so `limit` per `ttl` stays the long-run rate.
 * A route-level `@Throttle` gives that route its own bucket per client instead of the API-wide one.
 */
export function tokenBucket(policy: { burst: number; perSecond: number }): { limit: number; ttl: number } {
  return { limit: policy.burst, ttl: (policy.burst / policy.perSecond) * 1000 };
}
