import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { RATE_LIMIT_STORAGE } from './rate-limit.constants';
import { RateLimitBucketsMetric, rateLimitMetricProviders } from './rate-limit.metrics';
import { RateLimitConfigurableModule, type RateLimitModuleOptions } from './rate-limit.module-definition';
import { RateLimitOptionsService } from './rate-limit-options.service';
import { rateLimitStorageProvider } from './rate-limit-storage.provider';
import { RateLimitGuard } from './rate-limit.guard';

/** Internal: the token-bucket storage and its metrics, shared by the throttler options and the guard. */
@Module({
  providers: [...rateLimitMetricProviders, rateLimitStorageProvider, RateLimitBucketsMetric],
  exports: [RATE_LIMIT_STORAGE],
})
class RateLimitStorageModule {}

/**
 * Rate limiting for the whole API: @nestjs/throttler with token-bucket storages (in-process, or Redis
 * when REDIS_URL is set) and a global guard keyed per client. See docs/rate-limiting.md.
 */
@Module({})
export class RateLimitModule extends RateLimitConfigurableModule {
  static override forRoot(options: RateLimitModuleOptions = {}): DynamicModule {
    const base = super.forRoot(options);
    return {
      ...base,
      imports: [
        RateLimitStorageModule,
        ThrottlerModule.forRootAsync({ imports: [RateLimitStorageModule], useClass: RateLimitOptionsService }),
      ],
      providers: [...(base.providers ?? []), ...(options.guard === false ? [] : [{ provide: APP_GUARD, useClass: RateLimitGuard }])],
    };
  }
}
