/** An RFC 9457 problem details body, as Ballast sends it with `application/problem+json`. */
export interface ProblemDetails {
  /** A URN naming the kind of problem; stable, documented in the README. */
  type: string;
  /** A short, fixed summary of the problem type. */
  title: string;
  /** The HTTP status code. */
  status: number;
  /** A human-readable explanation specific to this occurrence; never internal details. */
  detail: string;
  /** For validation problems: each offending field and what is wrong with it. */
  errors?: FieldError[];
  /** The request id, to find the matching log line. */
  requestId?: string;
}

/** One invalid field of a request. */
export interface FieldError {
  /** Dotted path of the field (`email`, `query.limit`). */
  field: string;
  /** What is wrong with it. */
  message: string;
}

/** The media type of every error response. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Prefix of every problem `type`. */
export const PROBLEM_TYPE_PREFIX = 'urn:ballast:problem:';
