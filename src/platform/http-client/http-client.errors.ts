import { GatewayTimeoutError, ServiceUnavailableError } from '../errors/problem.error';

/**
 * Errors of outbound calls. Clients of this service see a fixed sentence per kind: never the upstream's name,
 * host, address, status or body (the `upstream` and `cause` fields are for the log only).
 */

/** 504: the call's time ran out (OUTBOUND_TIMEOUT_MS, or the request's shorter remaining deadline). */
export class UpstreamTimeoutError extends GatewayTimeoutError {
  constructor(
    readonly upstream: string,
    readonly timeoutMs: number,
  ) {
    super('upstream-timeout', 'A service this request depends on did not answer in time.');
  }
}

/** 503: the upstream's circuit is open (recent calls kept failing); Retry-After is the rest of the cool-down. */
export class CircuitOpenError extends ServiceUnavailableError {
  constructor(
    readonly upstream: string,
    retryAfterSeconds: number,
  ) {
    super(
      'upstream-circuit-open',
      'A service this request depends on is failing; calls to it are paused. Retry after the Retry-After delay.',
      retryAfterSeconds,
    );
  }
}

/** Why an upstream was unusable. */
export type UnavailableReason = 'connect_error' | 'http_error' | 'invalid_response' | 'not_configured';

/** 503: no connection, the connection broke, 5xx after retries, an unusable response, or no URL configured. */
export class UpstreamUnavailableError extends ServiceUnavailableError {
  constructor(
    readonly upstream: string,
    readonly reason: UnavailableReason,
    /** The upstream's status when it answered 5xx (log only). */
    readonly upstreamStatus?: number,
    cause?: unknown,
  ) {
    super('upstream-unavailable', 'A service this request depends on is unavailable. Retry after the Retry-After delay.', 1, cause);
  }
}
