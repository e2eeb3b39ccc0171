/** Public surface of the health platform module: the module and the registry readiness checks go into. */
export { HealthModule } from './health.module';
export { READINESS_ORDER, ReadinessRegistry } from './readiness-registry';
export type { HealthReport } from './health-report';
