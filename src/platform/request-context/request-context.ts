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
  /** Set by observability: the incoming W3C `tracestate`, kept only with a valid `traceparent`. */
  tracestate?: string;
  /** Set by observability with tracing on: the ids of the request's SERVER span (for the request line). */
  span?: { traceId: string; spanId: string; sampled: boolean };
  /** Set by resilience: aborted when the request deadline passes or the client goes away. */
  signal?: AbortSignal;
  /** Set by resilience: the deadline as a `performance.now()` instant. */
  deadlineAt?: number;
  /** Set by resilience: a health or metrics request, never shed and never refused a permit. */
  exempt?: boolean;
  /** Set by whoever refused the request in a flood (admission control): logged in a summary, not a line of its own. */
  summarised?: boolean;
  /** The client address, once {@link clientIpOf} worked it out. */
  clientIp?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();
const CONTEXT = Symbol('ballast:request-context');

type WithContext = IncomingMessage & { [CONTEXT]?: RequestContext };

/** The context attached to a request, created on first use. Works before the async context is entered. */
export function contextOf(req: IncomingMessage): RequestContext {
  const holder = req as WithContext;
  return (holder[CONTEXT] ??= { startedAt: performance.now() });
}

/**
 * The client's address as Express's `req.ip` gives it (X-Forwarded-For from trusted proxies, TRUST_PROXY),
 * worked out once per request: the rate limiter and the request log both need it, and each `req.ip` read
 * re-parses the header chain. Without an X-Forwarded-For header the answer is the peer address whatever
 * proxies are trusted, so that common case skips Express altogether.
 */
export function clientIpOf(req: IncomingMessage & { ip?: string }): string | undefined {
  const context = contextOf(req);
  if (context.clientIp !== undefined) return context.clientIp;
  const ip = req.headers['x-forwarded-for'] === undefined ? req.socket.remoteAddress : (req.ip ?? req.socket.remoteAddress);
  context.clientIp = ip;
  return ip;
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
