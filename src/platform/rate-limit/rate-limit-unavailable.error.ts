import { ServiceUnavailableError } from '../errors/problem.error';

/** 503 under RATE_LIMIT_REDIS_FAILURE=closed: the shared store does not answer, so nothing is admitted. */
export class RateLimitUnavailableError extends ServiceUnavailableError {
  constructor(cause?: unknown) {
    super('rate-limit-unavailable', 'The rate limiter cannot reach its shared store; retry shortly.', 1, cause);
  }
}
