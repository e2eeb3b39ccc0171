/** Retry settings of one upstream (idempotent methods only; connection errors and 502/503/504 only). */
export interface RetryOptions {
  /** Attempts after the first one; 0 disables retries. @default 2 */
  maxRetries?: number;
  /** First backoff delay; later ones grow exponentially with decorrelated jitter. @default 100 */
  initialDelayMs?: number;
  /** Longest backoff delay. @default 1000 */
  maxDelayMs?: number;
  /** Retry budget: each call earns this fraction of a retry, so retries stay under it over recent calls. @default 0.2 */
  budgetRatio?: number;
  /** Retry budget: retries saved up at most (and available at start), so a quiet upstream may still retry. @default 10 */
  budgetBurst?: number;
}

/** Circuit breaker settings of one upstream: it opens on consecutive failures OR a failure rate. */
export interface BreakerOptions {
  /** Opens after this many failed attempts in a row. @default 5 */
  consecutiveFailures?: number;
  /** Opens when more than this fraction of the last `window` attempts failed. @default 0.5 */
  failureRate?: number;
  /** Attempts the failure rate is computed over. @default 20 */
  window?: number;
  /** Attempts needed in the window before the failure rate may open the circuit. @default 10 */
  minimumAttempts?: number;
  /** Cool-down before one trial call is let through (half-open). @default 10000 */
  halfOpenAfterMs?: number;
}

/**
 * One upstream, registered by a feature with `HttpClientModule.forFeature({ name, baseUrl, ... })`. Anything
 * left out comes from the `outbound` configuration (OUTBOUND_*) or the defaults below.
 */
export interface HttpClientOptions {
  /** Origin (and optional base path) of the upstream, e.g. from a feature's `*_URL` variable. Unset: the client is disabled. */
  baseUrl: string | undefined;
  /** Whole call, retries and backoff included; the request's remaining deadline wins when shorter. @default OUTBOUND_TIMEOUT_MS */
  timeoutMs?: number;
  /** TCP/TLS connect timeout. @default OUTBOUND_CONNECT_TIMEOUT_MS */
  connectTimeoutMs?: number;
  /** Sockets to the upstream at most (undici Pool `connections`). @default OUTBOUND_MAX_CONNECTIONS_PER_HOST */
  maxConnections?: number;
  /** Calls that may wait for a socket in undici's queue; beyond `maxConnections + maxQueued` calls fail fast. @default maxConnections */
  maxQueued?: number;
  /** An idle kept-alive socket is closed after this; server `Keep-Alive` hints cannot raise it. @default 4000 */
  keepAliveTimeoutMs?: number;
  /** Largest response body read; larger is an unusable response (503). @default 1048576 */
  maxResponseBytes?: number;
  /** Retry policy. */
  retry?: RetryOptions;
  /** Circuit breaker policy. */
  breaker?: BreakerOptions;
  /**
   * Whether this upstream's health counts for readiness. Off by default: a down dependency must not pull every
   * pod out of rotation (they all share it); the indicator then reports `degraded`, which keeps HTTP 200.
   * @default false
   */
  affectsReadiness?: boolean;
  /** Path probed by the health indicator (GET, 2xx/3xx = up). Unset: health follows the circuit breaker only. */
  healthPath?: string;
  /** Timeout of the health probe; its result is cached as long. @default 2000 */
  healthTimeoutMs?: number;
}

/** Extra `forFeature` option, outside the (possibly async) options: it names the DI token. */
export interface HttpClientExtras {
  /** Upstream name: `@InjectHttpClient(name)`, the `upstream` metric label, the health key `upstream_<name>`. */
  name: string;
}
