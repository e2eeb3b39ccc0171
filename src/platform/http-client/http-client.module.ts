import { Module } from '@nestjs/common';
import { HttpClientConfigurableModule } from './http-client.module-definition';

/**
 * Outbound HTTP for feature modules: `HttpClientModule.forFeature({ name: 'profile', baseUrl, ...overrides })`
 * (or `forFeatureAsync({ name, inject: [ConfigService], useFactory })` to read the URL from config) provides the
 * upstream's {@link HttpClient}, injected with `@InjectHttpClient('profile')`. Per-host socket cap, timeouts,
 * `external` permits, retry budget, circuit breaker, metrics and shutdown come with it; see docs/http-client.md.
 */
@Module({})
export class HttpClientModule extends HttpClientConfigurableModule {}
