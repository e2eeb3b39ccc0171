import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem-details';
import type { ProblemError } from '../errors/problem.error';
import { markRefusal } from '../spans';

/** A problem+json response serialised once at start, so the edge refuses a request without allocating. */
export interface EdgeProblem {
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
  /** The problem slug, recorded on the request's span as the refusal reason. */
  readonly reason: string;
}

/** Serialises `error` the way the problem filter would (same body, same Retry-After). */
export function edgeProblem(error: ProblemError): EdgeProblem {
  const body = Buffer.from(JSON.stringify(error.toProblem()));
  const headers: OutgoingHttpHeaders = { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Content-Length': String(body.length) };
  if (error.options.retryAfterSeconds !== undefined)
    headers['Retry-After'] = String(Math.max(1, Math.ceil(error.options.retryAfterSeconds)));
  return { status: error.status, headers, body, reason: error.slug };
}

/**
 * Answers with a precomputed problem. Plain Node (`writeHead`/`end`): no Nest exception, no Express; headers
 * set earlier by the edge (request id, `Connection: close`) are merged by Node.
 */
export function sendEdgeProblem(res: ServerResponse, problem: EdgeProblem): void {
  markRefusal(problem.reason, res.req);
  res.writeHead(problem.status, problem.headers);
  res.end(problem.body);
}
