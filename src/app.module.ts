import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { AllConfig } from './config/app-config';
import { loadConfig } from './config/load-config';
import { FEATURES } from './features';
import { type CollectedFeatures, collectFeatures } from './platform/composition';
import { DatabaseModule } from './platform/database';
import { ErrorsModule } from './platform/errors';
import { HealthModule } from './platform/health';
import { IdempotencyModule } from './platform/idempotency';
import { IdentityModule } from './platform/identity';
import { LifecycleModule } from './platform/lifecycle';
import { ManagementModule } from './platform/management';
import { MetricsModule, ObservabilityModule } from './platform/observability';
import { OPENAPI_FEATURE_TAGS } from './platform/openapi';
import { ResilienceModule } from './platform/resilience';
import { RateLimitModule } from './platform/rate-limit';
import { TracingModule } from './platform/tracing';

/**
 * Validates the environment against the platform's variables and every feature's config fragment (the
 * features of src/features.ts); throws `ConfigValidationError` listing every problem, or
 * `MigrationNotRegisteredError` naming a migration file no feature registered.
 */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env, features: CollectedFeatures = collectFeatures(FEATURES)): AllConfig {
  return loadConfig(env, features.configFragments);
}

/** Composition only: validated config, the platform modules, the features of src/features.ts. */
@Module({})
export class AppModule {
  /** Builds the application from a configuration validated by {@link loadAppConfig}. */
  static forRoot(config: AllConfig, features: CollectedFeatures = collectFeatures(FEATURES)): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => config] }),
        ErrorsModule,
        MetricsModule,
        ObservabilityModule,
        LifecycleModule,
        HealthModule,
        DatabaseModule.forRoot({ migrations: features.migrations }),
        ResilienceModule.forRoot(),
        // Before RateLimitModule: global guards run in registration order, and the rate limiter keys by the principal.
        IdentityModule.forRoot(config.identity),
        RateLimitModule.forRoot({ guard: !config.protections.disabled.includes('rate_limit') }),
        IdempotencyModule,
        TracingModule.forRoot(),
        ManagementModule.forRoot({
          ...config.management,
          baseLogLevel: config.log.level,
          features: features.tags.map((tag) => tag.name),
          configuration: config as unknown as Record<string, unknown>,
        }),
        ...features.modules,
      ],
      // The features' OpenAPI tags, described by each feature's definition (src/platform/openapi reads them).
      providers: [{ provide: OPENAPI_FEATURE_TAGS, useValue: features.tags }],
    };
  }
}
