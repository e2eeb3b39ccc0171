import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { AllConfig } from './config/app-config';
import { migrations } from './migrations';
import { DatabaseModule } from './platform/database/database.module';
import { ErrorsModule } from './platform/errors/errors.module';
import { HealthModule } from './platform/health/health.module';
import { IdempotencyModule } from './platform/idempotency';
import { LifecycleModule } from './platform/lifecycle/lifecycle.module';
import { MetricsModule } from './platform/observability/metrics.module';
import { ObservabilityModule } from './platform/observability/observability.module';
import { ResilienceModule } from './platform/resilience/resilience.module';
import { RateLimitModule } from './platform/rate-limit/rate-limit.module';
import { TracingModule } from './platform/tracing';
import { UsersModule } from './users/users.module';

/** Feature modules; `npm run generate:feature` appends here. */
const FEATURE_MODULES = [UsersModule];

/** Composition only: validated config, the platform modules, the feature modules. */
@Module({})
export class AppModule {
  /** Builds the application from a configuration validated by `loadConfig()`. */
  static forRoot(config: AllConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => config] }),
        ErrorsModule,
        MetricsModule,
        ObservabilityModule,
        LifecycleModule,
        HealthModule,
        DatabaseModule.forRoot({ migrations }),
        ResilienceModule.forRoot(),
        RateLimitModule.forRoot(),
        IdempotencyModule,
        TracingModule.forRoot(),
        ...FEATURE_MODULES,
      ],
    };
  }
}
