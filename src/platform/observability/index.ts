/** Public surface of the observability platform module: logging and metrics modules, the root logger, metric names. */
export { ObservabilityModule } from './observability.module';
export { MetricsModule } from './metrics.module';
export { InjectRootLogger } from './logging.constants';
export { collectOnScrape } from './collect-on-scrape';
export { renderMetrics, type RenderedMetrics } from './metrics-render';
export { METRIC, HTTP_DURATION_BUCKETS, DB_DURATION_BUCKETS, OUTBOUND_DURATION_BUCKETS, type RejectionReason } from './metrics.constants';
export { createRootLogger } from './root-logger.factory';
export { causeChain } from './cause-chain';
export { FrameworkLogFilter, nestLoggerOver } from './framework-log-filter';
