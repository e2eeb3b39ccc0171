import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { AllConfig } from './config/app-config';
import { migrations } from './migrations';
import { DatabaseModule } from './platform/database';
import { ErrorsModule } from './platform/errors';
import { HealthModule } from './platform/health';
import { LifecycleModule } from './platform/lifecycle';
import { MetricsModule, ObservabilityModule } from './platform/observability';
import { ResilienceModule } from './platform/resilience';
import { RateLimitModule } from './platform/rate-limit';
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
        ...FEATURE_MODULES,
      ],
    };
  }
}
