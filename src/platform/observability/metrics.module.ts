import { Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { MetricsController } from './metrics.controller';
import { metricProviders } from './metrics.providers';

/** Prometheus at `GET /metrics` (OpenMetrics on request: MetricsController) with prom-client's default metrics and the SPEC metrics as providers. */
@Global()
@Module({
  imports: [PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true }, controller: MetricsController })],
  providers: metricProviders,
  exports: metricProviders,
})
export class MetricsModule {}
