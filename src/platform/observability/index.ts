/** Public surface of the observability platform module: logging and metrics modules, the root logger, metric names. */
export { ObservabilityModule } from './observability.module';
export { MetricsModule } from './metrics.module';
export { InjectRootLogger } from './logging.constants';
export { METRIC } from './metrics.constants';
