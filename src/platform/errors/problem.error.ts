import { type FieldError, PROBLEM_TYPE_PREFIX, type ProblemDetails } from './problem-details';

/** Options of a {@link ProblemError}. */
export interface ProblemErrorOptions {
  /** Seconds a client should wait before retrying; sent as `Retry-After`. */
  retryAfterSeconds?: number;
  /** Field errors for validation problems. */
  errors?: FieldError[];
  /** Extra response headers (e.g. rate-limit headers). */
  headers?: Record<string, string>;
  /** The underlying error, for the log only. */
  cause?: unknown;
}

/**
 * Base class of every error that maps to a known HTTP status. The global filter renders it as
 * problem+json; subclasses fix the status, type and title, the caller gives the detail.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail: string,
    readonly options: ProblemErrorOptions = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = new.target.name;
  }

  /** The body sent to the client. */
  toProblem(): ProblemDetails {
    const body: ProblemDetails = { type: PROBLEM_TYPE_PREFIX + this.slug, title: this.title, status: this.status, detail: this.message };
    if (this.options.errors) body.errors = this.options.errors;
    return body;
  }
}

/** 400: the request is malformed or fails validation. */
export class ValidationProblemError extends ProblemError {
  constructor(detail: string, errors?: FieldError[]) {
    super(400, 'validation-error', 'Your request is not valid', detail, { errors });
  }
}

/** 404: the resource does not exist. */
export class NotFoundError extends ProblemError {
  constructor(detail: string) {
    super(404, 'not-found', 'Resource not found', detail);
  }
}

/** 409: the request conflicts with the current state (e.g. a duplicate unique value). */
export class ConflictError extends ProblemError {
  constructor(detail: string, errors?: FieldError[]) {
    super(409, 'conflict', 'Conflict with the current state', detail, { errors });
  }
}

/** 503: a dependency or a capacity limit refuses the request now; retry later. */
export class ServiceUnavailableError extends ProblemError {
  constructor(slug: string, detail: string, retryAfterSeconds = 1, cause?: unknown) {
    super(503, slug, 'Service temporarily unavailable', detail, { retryAfterSeconds, cause });
  }
}

/** 504: a deadline passed before the work finished. */
export class GatewayTimeoutError extends ProblemError {
  constructor(slug: string, detail: string, cause?: unknown) {
    super(504, slug, 'Deadline exceeded', detail, { cause });
  }
}

/** 412: the request's `If-Match` names a version that is no longer the current one. */
export class PreconditionFailedError extends ProblemError {
  constructor(detail: string) {
    super(412, 'precondition-failed', 'The resource has changed', detail);
  }
}

/** 428: a conditional write came without `If-Match`, so it could overwrite a change it never saw. */
export class PreconditionRequiredError extends ProblemError {
  constructor(detail: string) {
    super(428, 'precondition-required', 'If-Match is required', detail);
  }
}
