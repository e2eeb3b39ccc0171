/** Public surface of the rate-limit platform module: the module, the policy/key decorators and their names. */
export { RateLimitModule } from './rate-limit.module';
export type { RateLimitModuleOptions } from './rate-limit.module-definition';
export { RateLimitKey, RateLimitPolicy, type RateLimitKeyFn } from './rate-limit.decorator';
export { DEFAULT_POLICY, STRICT_POLICY } from './rate-limit.constants';
export { RateLimitedError } from './rate-limited.error';
export { RateLimitUnavailableError } from './rate-limit-unavailable.error';
export { MemoryTokenBucketStorage } from './memory-token-bucket.storage';
