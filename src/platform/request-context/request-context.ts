import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What the platform knows about the request being served, available anywhere below it without passing
 * parameters: logs read the request id, the database and outbound clients read the deadline.
 */
export interface RequestContext {
  /** Monotonic start time (`performance.now()`). */
  readonly startedAt: number;
  /** Set by observability: the accepted or generated request id. */
  requestId?: string;
  /** Set by observability: the incoming W3C `traceparent`, if valid. */
  traceparent?: string;
  /** Set by resilience: aborted when the request deadline passes or the client goes away. */
  signal?: AbortSignal;
  /** Set by resilience: the deadline as a `performance.now()` instant. */
  deadlineAt?: number;
  /** Set by resilience: a health or metrics request, never shed and never refused a permit. */
  exempt?: boolean;
}

const storage = new AsyncLocalStorage<RequestContext>();
const CONTEXT = Symbol('ballast:request-context');

type WithContext = IncomingMessage & { [CONTEXT]?: RequestContext };

/** The context attached to a request, created on first use. Works before the async context is entered. */
export function contextOf(req: IncomingMessage): RequestContext {
  const holder = req as WithContext;
  return (holder[CONTEXT] ??= { startedAt: performance.now() });
}

/** The context of the request the current async chain serves, if any. */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Milliseconds left before the current request's deadline (Infinity outside a request or without one). */
export function remainingTimeMs(): number {
  const deadlineAt = storage.getStore()?.deadlineAt;
  return deadlineAt === undefined ? Infinity : Math.max(0, deadlineAt - performance.now());
}

/**
 * Enters the async context for the rest of the pipeline. Installed last in the edge, after the body
 * parser: stream callbacks (body parsing) would otherwise lose the context.
 */
export function enterRequestContext(req: IncomingMessage, _res: ServerResponse, next: () => void): void {
  storage.run(contextOf(req), next);
}

/** Runs `fn` inside `context` (tests, background work started on behalf of a request). */
export function runInRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}
