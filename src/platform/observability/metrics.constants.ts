/** SPEC metric names: public interface, keep them. */
export const METRIC = {
  httpRequestDuration: 'http_request_duration_seconds',
  httpRequestsTotal: 'http_requests_total',
  httpRequestsInFlight: 'http_requests_in_flight',
  httpRequestsRejected: 'http_requests_rejected_total',
  /** Owned by resilience (admission control): the current in-flight limit, fixed or adaptive. */
  httpConcurrencyLimit: 'http_concurrency_limit',
  /** Owned by resilience: the adaptive limit's minimum and last window RTT (kind: min, sample). */
  httpConcurrencyRtt: 'http_concurrency_rtt_seconds',
  dbQueryDuration: 'db_query_duration_seconds',
  dbPoolConnections: 'db_pool_connections',
  resourcePermitsInUse: 'resource_permits_in_use',
  resourcePermitsRejected: 'resource_permits_rejected_total',
  outboundRequestDuration: 'outbound_request_duration_seconds',
} as const;

/** Values of `http_requests_rejected_total{reason}`. */
export type RejectionReason = 'concurrency' | 'pressure' | 'rate_limit' | 'permits' | 'timeout';

/**
 * Buckets for HTTP latency (seconds): dense from 5 ms to 1 s where an API's SLOs live, then up to the
 * 30 s request deadline so timeouts land in a bucket of their own.
 */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Buckets for database queries (seconds): 1 ms to the 5 s statement timeout. */
export const DB_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Buckets for outbound calls (seconds): 5 ms to the 30 s outbound timeout. */
export const OUTBOUND_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
