/** Public surface of the health platform module: the module, the registry readiness checks go into, the reports. */
export { HealthModule } from './health.module';
export { READINESS_ORDER, ReadinessRegistry } from './readiness-registry';
export type { HealthReport } from './health-report';
export { HealthReporter, type ReadinessAnswer } from './health-reporter.service';
