/** Instrumentation scope of the spans Ballast makes. */
export const BALLAST_TRACER = 'ballast';

/** Span attributes Ballast adds beyond the semantic conventions (namespaced, as the conventions ask). */
export const TRACING_ATTRIBUTE = {
  /** The request id (`X-Request-Id`) of the request a SERVER span serves. */
  requestId: 'ballast.request_id',
  /** Why the edge refused the request (the problem type: `concurrency-limit`, `rate-limited`, …). */
  refusalReason: 'ballast.refusal.reason',
  /** The upstream (HTTP client name) of an outbound call. */
  outboundUpstream: 'ballast.outbound.upstream',
  /** The circuit breaker's state when the outbound call started and when it ended. */
  circuitStateAtStart: 'ballast.outbound.circuit_state',
  circuitStateAtEnd: 'ballast.outbound.circuit_state_after',
  /** Retries made by an outbound call (each attempt is a CLIENT span of its own). */
  outboundRetries: 'ballast.outbound.retries',
} as const;

/** Name of the span covering a database checkout: the permit wait, then the pool's acquire (`pg-pool.connect`). */
export const DB_CHECKOUT_SPAN = 'db.checkout';

/** `tracing_spans_dropped_total` (SPEC). */
export const TRACING_SPANS_DROPPED_METRIC = 'tracing_spans_dropped_total';
