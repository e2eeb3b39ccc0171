import { Global, Module } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { EXTERNAL_PERMITS } from './http-client.constants';
import { HttpClientRegistry } from './http-client.registry';
import { ExternalPermitPool } from './outbound-permits';
import { UpstreamHealthIndicator } from './upstream.health';

/**
 * The shared part of the HTTP client, imported by every `HttpClientModule.forFeature()` (once: it is static):
 * the registry of upstream clients and the `external` permits. The health module imports it for
 * {@link UpstreamHealthIndicator}.
 */
@Global()
@Module({
  providers: [
    HttpClientRegistry,
    UpstreamHealthIndicator,
    HealthIndicatorService,
    // TODO(merge): `{ provide: EXTERNAL_PERMITS, useExisting: permitsToken(PLATFORM_PERMITS.external) }` (resilience).
    { provide: EXTERNAL_PERMITS, useClass: ExternalPermitPool },
  ],
  exports: [HttpClientRegistry, UpstreamHealthIndicator],
})
export class HttpClientCoreModule {}
