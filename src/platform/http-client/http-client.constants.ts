/** The DI token of the client of upstream `name`; use `@InjectHttpClient(name)` instead of the raw token. */
export function httpClientToken(name: string): string {
  return `ballast:http-client:${name}`;
}

/** The DI token of the permits every outbound call holds (EXTERNAL_API_PERMITS). */
export const EXTERNAL_PERMITS = 'ballast:http-client:external-permits';

/** The `resource` label of the permit metrics for outbound calls. */
export const EXTERNAL_RESOURCE = 'external';

/** Metrics of the HTTP client beyond the SPEC's `outbound_request_duration_seconds`. */
export const OUTBOUND_METRIC = {
  /** Gauge per upstream: 0 closed, 1 half-open, 2 open. */
  circuitState: 'outbound_circuit_state',
  /** Counter per upstream: attempts made after the first one of a call. */
  retries: 'outbound_retries_total',
} as const;

/**
 * Values of `outbound_request_duration_seconds{outcome}`, one per call (retries included):
 * - `success`: the upstream answered below 500 (a 4xx is the caller's business, the upstream is healthy);
 * - `http_error`: it answered 5xx (after retries) or something unusable (too large, not JSON), or another error;
 * - `timeout`: the call's time (OUTBOUND_TIMEOUT_MS or the request's shorter deadline) ran out;
 * - `connect_error`: no connection, or the connection broke (refused, reset, DNS, connect timeout);
 * - `circuit_open`: refused at once by the upstream's circuit breaker;
 * - `rejected`: refused at once for capacity (external permits, or the upstream's queue bound);
 * - `aborted`: the request being served went away (client disconnected) before the call finished.
 */
export type OutboundOutcome = 'success' | 'http_error' | 'timeout' | 'connect_error' | 'circuit_open' | 'rejected' | 'aborted';

/** `outbound_circuit_state` values. */
export const CIRCUIT_STATE_VALUE = { closed: 0, halfOpen: 1, open: 2 } as const;

/** Methods retried on connection errors and 502/503/504: repeating them has no further effect (RFC 9110 9.2.2). */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Statuses that say "not now" without having done the work, so an idempotent call may try again. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);
