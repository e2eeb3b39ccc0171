import { ProblemError } from '../errors/problem.error';
import { IDEMPOTENCY_KEY_HEADER, MAX_KEY_LENGTH } from './idempotency.constants';

/** 400: the key is empty, longer than {@link MAX_KEY_LENGTH} or has characters outside the allowed set. */
export class IdempotencyKeyInvalidError extends ProblemError {
  constructor() {
    super(
      400,
      'idempotency-key-invalid',
      'Invalid Idempotency-Key',
      `${IDEMPOTENCY_KEY_HEADER} must be 1 to ${MAX_KEY_LENGTH} visible ASCII characters without space, quote, backslash or comma.`,
    );
  }
}

/** 400: the route requires a key and the request has none. */
export class IdempotencyKeyMissingError extends ProblemError {
  constructor() {
    super(400, 'idempotency-key-missing', 'Idempotency-Key required', `This operation requires an ${IDEMPOTENCY_KEY_HEADER} header.`);
  }
}

/** 409: a request with this key is still running (or its claim was taken over); retry after `Retry-After`. */
export class IdempotencyKeyInProgressError extends ProblemError {
  constructor(retryAfterSeconds: number) {
    super(
      409,
      'idempotency-key-in-progress',
      'Request with this key in progress',
      `A request with this ${IDEMPOTENCY_KEY_HEADER} is still being processed.`,
      {
        retryAfterSeconds,
      },
    );
  }
}

/** 422: the key was used with another method, path or body. */
export class IdempotencyKeyMismatchError extends ProblemError {
  constructor() {
    super(
      422,
      'idempotency-key-mismatch',
      'Idempotency-Key reused with another payload',
      `This ${IDEMPOTENCY_KEY_HEADER} was used for a different request; use a new key for a new request.`,
    );
  }
}
