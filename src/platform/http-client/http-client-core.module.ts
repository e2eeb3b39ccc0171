import { Global, Module } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { PLATFORM_PERMITS, permitsToken } from '../resilience/resilience.constants';
import { EXTERNAL_PERMITS } from './http-client.constants';
import { httpClientMetricProviders } from './http-client.metrics';
import { HttpClientRegistry } from './http-client.registry';
import { UpstreamHealthIndicator } from './upstream.health';

/**
 * The shared part of the HTTP client, imported by every `HttpClientModule.forFeature()` (once: it is static):
 * the registry of upstream clients and the `external` permits. {@link UpstreamHealthIndicator} contributes the
 * readiness-affecting upstreams to the health module's readiness registry.
 */
@Global()
@Module({
  providers: [
    HttpClientRegistry,
    UpstreamHealthIndicator,
    HealthIndicatorService,
    ...httpClientMetricProviders,
    // The resilience module's `external` pool (EXTERNAL_API_PERMITS): one bulkhead, one set of permit metrics.
    { provide: EXTERNAL_PERMITS, useExisting: permitsToken(PLATFORM_PERMITS.external) },
  ],
  exports: [HttpClientRegistry, UpstreamHealthIndicator],
})
export class HttpClientCoreModule {}
