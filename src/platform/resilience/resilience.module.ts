import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DiscoveryModule } from '@nestjs/core';
import type { AllConfig } from '../../config/app-config';
import { AdmissionControlMiddleware } from './admission-control.middleware';
import { DEFAULT_EXEMPT_PATHS, ExemptPaths } from './exempt-paths';
import type { PermitPoolOptions } from './permit-pool';
import { PermitPoolRegistry } from './permit-pool.registry';
import { PermitsInterceptor } from './permits.interceptor';
import { PressureMonitor } from './pressure-monitor';
import { resilienceMetricProviders } from './resilience.metrics';
import { ShedPriorityRoutes } from './shed-priority.routes';
import { PLATFORM_PERMITS, permitsToken } from './resilience.constants';
import { RequestDeadlineMiddleware } from './request-deadline.middleware';

/** Options of {@link ResilienceModule.forRoot}. */
export interface ResilienceModuleOptions {
  /**
   * Path prefixes exempt from admission control, permits and rate limiting (default `/health`, `/metrics`):
   * the one list, see exempt-paths.ts.
   */
  exemptPaths?: readonly string[];
}

/** A feature's own permit pool, declared with {@link ResilienceModule.forFeature}. */
export interface FeaturePermitsOptions extends Omit<PermitPoolOptions, 'capacity'> {
  /** Pool name: `@InjectPermits(name)`, `@UsePermits(name)`, the `resource` metric label. */
  name: string;
  /** Capacity, or a function of the configuration (a feature's own variable). */
  permits: number | ((config: ConfigService<AllConfig, true>) => number);
}

function poolProvider(name: string, options: (config: ConfigService<AllConfig, true>) => PermitPoolOptions): Provider {
  return {
    provide: permitsToken(name),
    inject: [PermitPoolRegistry, ConfigService],
    useFactory: (registry: PermitPoolRegistry, config: ConfigService<AllConfig, true>) => registry.register(name, options(config)),
  };
}

const platformPools = [
  poolProvider(PLATFORM_PERMITS.db, (config) => ({ capacity: config.get('resilience.dbPermits', { infer: true }) })),
  poolProvider(PLATFORM_PERMITS.external, (config) => ({ capacity: config.get('resilience.externalPermits', { infer: true }) })),
];

/**
 * Backpressure: the HTTP admission edge (in-flight cap, fixed or adaptive; pressure shedding; shed priorities), the request deadline, and permit pools (bulkheads)
 * — `db` guarding every database checkout made for a request, `external` for outbound calls, and any pool a
 * feature declares. Global: features inject pools with `@InjectPermits()` or guard handlers with
 * `@UsePermits()` without importing anything but their own `forFeature` pools.
 */
@Module({})
export class ResilienceModule {
  /** The platform part, imported once by the composition root. */
  static forRoot(options: ResilienceModuleOptions = {}): DynamicModule {
    const exemptPaths: Provider = { provide: ExemptPaths, useValue: new ExemptPaths(options.exemptPaths ?? DEFAULT_EXEMPT_PATHS) };
    const exported = [
      ...platformPools,
      exemptPaths,
      ...resilienceMetricProviders,
      PermitPoolRegistry,
      PermitsInterceptor,
      PressureMonitor,
      ShedPriorityRoutes,
      AdmissionControlMiddleware,
      RequestDeadlineMiddleware,
    ];
    return {
      module: ResilienceModule,
      global: true,
      imports: [DiscoveryModule],
      providers: exported,
      exports: exported,
    };
  }

  /** Declares a feature's own pool, e.g. `ResilienceModule.forFeature({ name: 'reports', permits: 5 })`. */
  static forFeature(options: FeaturePermitsOptions): DynamicModule {
    const { name, permits, ...bounds } = options;
    const provider = poolProvider(name, (config) => ({ capacity: typeof permits === 'function' ? permits(config) : permits, ...bounds }));
    return { module: ResilienceModule, providers: [provider], exports: [provider] };
  }
}
