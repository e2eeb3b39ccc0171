import { Inject } from '@nestjs/common';

/** Token of the rate-limit storage (memory or Redis token bucket); also handed to @nestjs/throttler. */
export const RATE_LIMIT_STORAGE = Symbol('ballast:rate-limit:storage');

/** Injects the rate-limit storage. */
export const InjectRateLimitStorage = (): ParameterDecorator => Inject(RATE_LIMIT_STORAGE);

/** Metadata key of `@RateLimitKey()`. */
export const RATE_LIMIT_KEY_METADATA = 'ballast:rate-limit:key';

/** Metadata key of `@RateLimitPolicy()`: the opt-in named policies a route or controller uses. */
export const RATE_LIMIT_POLICY_METADATA = 'ballast:rate-limit:policy';

/** The API-wide policy every route uses unless skipped: RATE_LIMIT_PER_SECOND / RATE_LIMIT_BURST. */
export const DEFAULT_POLICY = 'default';

/**
 * The opt-in policy for expensive routes (`@RateLimitPolicy(STRICT_POLICY)`): a separate bucket per
 * client with a fifth of the default rate and burst (2/s, burst 6 with the defaults).
 */
export const STRICT_POLICY = 'strict';

/** How much smaller the strict policy is than the default one. */
export const STRICT_POLICY_DIVISOR = 5;

/** Prefix of every bucket key in Redis. */
export const REDIS_KEY_PREFIX = 'ballast:rl:';

/** Non-SPEC metrics of the rate limiter. */
export const RATE_LIMIT_METRIC = {
  storeErrors: 'rate_limit_store_errors_total',
  fallbacks: 'rate_limit_fallback_total',
  evictions: 'rate_limit_evictions_total',
  buckets: 'rate_limit_buckets',
} as const;
