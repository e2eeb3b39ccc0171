/** Public surface of the outbound HTTP client: the module, the client, its injection helper and error types. */
export { HttpClientModule } from './http-client.module';
export { HttpClient } from './http-client';
export { InjectHttpClient } from './http-client.decorator';
export type { HttpClientOptions, RetryOptions, BreakerOptions } from './http-client-options.interface';
export type { OutboundMethod, OutboundRequest, OutboundResponse } from './outbound-request.interface';
export { UpstreamTimeoutError, CircuitOpenError, UpstreamUnavailableError, type UnavailableReason } from './http-client.errors';
