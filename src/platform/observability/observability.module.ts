import { Global, Module } from '@nestjs/common';
import { HttpTelemetryMiddleware } from './http-telemetry.middleware';
import { LoggingModule } from './logging.module';

/**
 * Logs and the HTTP telemetry edge (request ids, trace context, RED metrics, request lines). The metric
 * providers themselves live in {@link MetricsModule}; `configureHttpServer` mounts the edge.
 */
@Global()
@Module({
  imports: [LoggingModule],
  providers: [HttpTelemetryMiddleware],
  exports: [HttpTelemetryMiddleware],
})
export class ObservabilityModule {}
