import { CAPACITY_RETRY_AFTER_SECONDS } from './resilience.constants';
import { GatewayTimeoutError, ServiceUnavailableError } from '../errors/problem.error';

/** 503: the HTTP concurrency limit is reached; the admission edge renders it without Nest. */
export class ConcurrencyLimitError extends ServiceUnavailableError {
  constructor() {
    super('concurrency-limit', 'The service is at its concurrency limit. Retry after the Retry-After delay.', CAPACITY_RETRY_AFTER_SECONDS);
  }
}

/** 503: pressure shedding — event-loop delay or utilisation, or heap use, is past its threshold (SHED_MAX_*). */
export class OverloadedError extends ServiceUnavailableError {
  constructor() {
    super('overloaded', 'The service is overloaded. Retry after the Retry-After delay.', CAPACITY_RETRY_AFTER_SECONDS);
  }
}

/** 503: every permit of a resource is held (and the wait queue, if any, is full or timed out). */
export class PermitsExhaustedError extends ServiceUnavailableError {
  constructor(
    /** The permit pool that refused; for logs only, clients are not told internal resource names. */
    readonly resource: string,
  ) {
    super(
      'permits-exhausted',
      'Too many concurrent operations on a shared resource. Retry after the Retry-After delay.',
      CAPACITY_RETRY_AFTER_SECONDS,
    );
  }
}

/** 504: the request's deadline (REQUEST_TIMEOUT_MS) passed before it was answered. */
export class RequestTimeoutError extends GatewayTimeoutError {
  constructor() {
    super('request-timeout', 'The request did not complete within its deadline.');
  }
}

/** The abort reason when the client went away before its response was complete; nobody is answered. */
export class ClientClosedRequestError extends Error {
  constructor() {
    super('The client closed the connection before the response was complete.');
    this.name = ClientClosedRequestError.name;
  }
}
