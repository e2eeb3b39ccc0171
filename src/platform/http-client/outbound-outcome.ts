import { ProblemError } from '../errors/problem.error';
import { type OutboundOutcome, RETRYABLE_STATUSES } from './http-client.constants';
import { CircuitOpenError, UpstreamTimeoutError, UpstreamUnavailableError } from './http-client.errors';
import type { OutboundResponse } from './outbound-request.interface';

/** Every `outcome` label value, for pre-creating the histogram's children. */
export const OUTBOUND_OUTCOMES: readonly OutboundOutcome[] = [
  'success',
  'http_error',
  'timeout',
  'connect_error',
  'circuit_open',
  'rejected',
  'aborted',
];

/** Whether an attempt's failure is an answer (a 5xx) rather than an error. */
export function isResponse(value: unknown): value is OutboundResponse {
  return typeof value === 'object' && value !== null && 'status' in value && 'headers' in value && !(value instanceof Error);
}

/** What the breaker counts as the upstream failing: timeouts and unusable upstreams, not aborts or our bugs. */
export function countsAgainstUpstream(error: unknown): boolean {
  return error instanceof UpstreamTimeoutError || error instanceof UpstreamUnavailableError;
}

/** Whether an idempotent call may try again after this failure: connection errors and 502/503/504 only. */
export function isRetryable(failure: unknown): boolean {
  if (isResponse(failure)) return RETRYABLE_STATUSES.has(failure.status);
  return failure instanceof UpstreamUnavailableError && failure.reason === 'connect_error';
}

/** The `outcome` label of a call that failed with `error`. */
export function outcomeOf(error: unknown, parent: AbortSignal | undefined): OutboundOutcome {
  if (error instanceof UpstreamTimeoutError) return 'timeout';
  if (error instanceof CircuitOpenError) return 'circuit_open';
  if (error instanceof UpstreamUnavailableError) return error.reason === 'connect_error' ? 'connect_error' : 'http_error';
  // The request's own abort: its deadline passed (a 504 problem) or its client went away.
  if (parent?.aborted && error === parent.reason) return error instanceof ProblemError && error.status === 504 ? 'timeout' : 'aborted';
  if (error instanceof ProblemError && error.status === 503) return 'rejected';
  return 'http_error';
}
