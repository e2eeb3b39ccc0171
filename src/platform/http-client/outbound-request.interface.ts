import type { IncomingHttpHeaders } from 'node:http';
import type { Counter, Gauge, Histogram } from 'prom-client';

/** HTTP methods the client sends. */
export type OutboundMethod = 'GET' | 'HEAD' | 'OPTIONS' | 'PUT' | 'DELETE' | 'POST' | 'PATCH';

/** One call to an upstream. */
export interface OutboundRequest {
  /** @default 'GET' */
  method?: OutboundMethod;
  /** Path below the upstream's base URL, starting with `/`; encode path parameters with `encodeURIComponent`. */
  path: string;
  /** Query parameters; `undefined` values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** A body sent as JSON. */
  json?: unknown;
  /** A shorter timeout for this call than the upstream's. */
  timeoutMs?: number;
  /**
   * Sent as `Idempotency-Key` (the same on every attempt); it is what makes a POST or PATCH safe to retry: without
   * one, those methods are sent once. Make one per logical operation (e.g. a UUID) and reuse it when the caller
   * itself retries the operation.
   */
  idempotencyKey?: string;
}

/** An upstream's answer below 500 (5xx answers are raised as {@link UpstreamUnavailableError}). */
export interface OutboundResponse<T = unknown> {
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON for a JSON content type, the text otherwise, `undefined` when empty. Not validated: check it. */
  body: T;
}

/** The metrics a client reports to, labelled by its upstream. */
export interface HttpClientMetrics {
  duration: Histogram<string>;
  retries: Counter<string>;
  circuitState: Gauge<string>;
}
