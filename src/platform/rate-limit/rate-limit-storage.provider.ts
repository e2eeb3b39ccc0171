import { type FactoryProvider, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { getToken } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { AllConfig } from '../../config/app-config';
import { ShutdownRegistry } from '../lifecycle';
import { MemoryTokenBucketStorage } from './memory-token-bucket.storage';
import { RATE_LIMIT_METRIC, RATE_LIMIT_STORAGE } from './rate-limit.constants';
import { createRateLimitRedis } from './rate-limit-redis';
import { RedisTokenBucketStorage } from './redis-token-bucket.storage';

/**
 * The token-bucket storage: in-process by default, Redis (shared by every replica) when REDIS_URL is set,
 * with the in-process one as the `local` fallback. The Redis connection closes in the shutdown's `clients` phase
 * (after outbound clients, before the database), registered here where it is opened.
 */
export const rateLimitStorageProvider: FactoryProvider<MemoryTokenBucketStorage | RedisTokenBucketStorage> = {
  provide: RATE_LIMIT_STORAGE,
  inject: [
    ConfigService,
    getToken(RATE_LIMIT_METRIC.storeErrors),
    getToken(RATE_LIMIT_METRIC.fallbacks),
    getToken(RATE_LIMIT_METRIC.evictions),
    ShutdownRegistry,
  ],
  useFactory: (
    config: ConfigService<AllConfig, true>,
    storeErrors: Counter<string>,
    fallbacks: Counter<string>,
    evictions: Counter<string>,
    shutdown: ShutdownRegistry,
  ) => {
    const { perSecond, burst, redisUrl, redisFailure, redisTimeoutMs, maxKeys } = config.get('rateLimit', { infer: true });
    const logger = new Logger('RateLimit');
    const local = new MemoryTokenBucketStorage({ maxKeys, onEvict: (count) => evictions.inc(count) });
    if (!redisUrl) {
      logger.log(`token bucket per client: ${perSecond}/s, burst ${burst}; in-process store (at most ${maxKeys} clients)`);
      return local;
    }
    const { host, port } = new URL(redisUrl);
    logger.log(
      `token bucket per client: ${perSecond}/s, burst ${burst}; Redis store at ${host}${port ? '' : ':6379'} (timeout ${redisTimeoutMs} ms, on failure: ${redisFailure})`,
    );
    const storage = new RedisTokenBucketStorage({
      client: createRateLimitRedis(redisUrl, redisTimeoutMs),
      local,
      policy: redisFailure,
      storeErrors,
      fallbacks,
    });
    shutdown.register('clients', 'redis (rate limit)', () => storage.close());
    return storage;
  },
};
