/** Public surface of the resilience platform module: the module, permit decorators and the capacity error types. */
export { ResilienceModule, type ResilienceModuleOptions, type FeaturePermitsOptions } from './resilience.module';
export { InjectPermits, UsePermits } from './permits.decorator';
export { PLATFORM_PERMITS } from './resilience.constants';
export { ExemptPaths, DEFAULT_EXEMPT_PATHS } from './exempt-paths';
export { PermitPool, type Permit, type PermitPoolOptions } from './permit-pool';
export { PermitPoolRegistry } from './permit-pool.registry';
export { ConcurrencyLimitError, PermitsExhaustedError, RequestTimeoutError } from './resilience.errors';
