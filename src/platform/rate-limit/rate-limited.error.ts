import { ProblemError } from '../errors/problem.error';

/** 429: the client spent its tokens. Carries `Retry-After` and the IETF RateLimit headers. */
export class RateLimitedError extends ProblemError {
  constructor(retryAfterSeconds: number, headers: Record<string, string>) {
    super(429, 'rate-limited', 'Too many requests', `Rate limit exceeded; retry in ${retryAfterSeconds} s.`, {
      retryAfterSeconds,
      headers,
    });
  }
}
