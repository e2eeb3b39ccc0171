import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Span } from '@opentelemetry/api';
import { normalizeIp } from '@nestjs/throttler';

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
  /** Set by observability with tracing on: the request's SERVER span (recording only when sampled). */
  traceSpan?: Span;
  /**
   * Aborted when the request deadline passes or the client goes away (resilience calls {@link abortRequest}).
   * On a request the server received it is created on first read: most requests never need one, and the
   * platform's own listeners use {@link onRequestAbort} instead, which needs none.
   */
  readonly signal?: AbortSignal;
  /** Set by resilience: the deadline as a `performance.now()` instant. */
  deadlineAt?: number;
  /** Set by resilience: a health or metrics request, never shed and never refused a permit. */
  exempt?: boolean;
  /** Set by whoever refused the request in a flood (admission control): logged in a summary, not a line of its own. */
  summarised?: boolean;
  /** The client address, once {@link clientIpOf} worked it out. */
  clientIp?: string;
  /** Set by identity: who made the request, once authenticated (undefined: not authenticated, or not yet). */
  principal?: RequestPrincipal;
}

/** The authenticated caller as the rest of the platform sees it: an id to key limits, records and logs by. */
export interface RequestPrincipal {
  /** Stable, non-secret id: `jwt:<iss>|<sub>`, `key:<api key id>`, or `anonymous` (AUTH_DISABLED). */
  readonly id: string;
  /** How the caller authenticated. */
  readonly kind: 'jwt' | 'api_key' | 'anonymous';
  /** The scopes the credential grants. */
  readonly scopes: ReadonlySet<string>;
}

const storage = new AsyncLocalStorage<RequestContext>();
const CONTEXT = Symbol('ballast:request-context');

type AbortListener = (reason: Error) => void;

/**
 * The context of a request the server received. Its AbortSignal (an AbortController, an EventTarget and their
 * listeners: a few µs and several objects per request) exists only once something reads `signal`; aborting
 * before that records the reason, and a signal created later starts aborted with it. Hand-written because no
 * library offers a lazily created AbortSignal.
 */
class ServedRequestContext implements RequestContext {
  requestId?: string = undefined;
  traceparent?: string = undefined;
  tracestate?: string = undefined;
  span?: { traceId: string; spanId: string; sampled: boolean } = undefined;
  traceSpan?: Span = undefined;
  deadlineAt?: number = undefined;
  exempt?: boolean = undefined;
  summarised?: boolean = undefined;
  clientIp?: string = undefined;
  principal?: RequestPrincipal = undefined;
  /** Why the request's work was aborted, once it was. */
  abortReason: Error | undefined = undefined;
  private controller: AbortController | undefined = undefined;
  private listeners: AbortListener[] | undefined = undefined;

  constructor(readonly startedAt: number) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  abort(reason: Error): void {
    if (this.abortReason) return;
    this.abortReason = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener(reason);
    this.controller?.abort(reason);
  }

  onAbort(listener: AbortListener): () => void {
    if (this.abortReason) {
      listener(this.abortReason);
      return noop;
    }
    (this.listeners ??= []).push(listener);
    return () => {
      const index = this.listeners?.indexOf(listener) ?? -1;
      if (index !== -1) this.listeners?.splice(index, 1);
    };
  }
}

function noop(): void {}

type WithContext = IncomingMessage & { [CONTEXT]?: ServedRequestContext };

/** The context attached to a request, created on first use. Works before the async context is entered. */
export function contextOf(req: IncomingMessage): RequestContext {
  const holder = req as WithContext;
  return (holder[CONTEXT] ??= new ServedRequestContext(performance.now()));
}

/**
 * Aborts the request's work with `reason` (the first reason wins): its signal if one was created, and the
 * listeners of {@link onRequestAbort}. A context that is not a served request's (tests, background work) has
 * no such state: nothing happens.
 */
export function abortRequest(context: RequestContext, reason: Error): void {
  if (context instanceof ServedRequestContext) context.abort(reason);
}

/** Why the request's work was aborted, or undefined while it runs; never creates the signal. */
export function abortReasonOf(context: RequestContext): unknown {
  if (context instanceof ServedRequestContext) return context.abortReason;
  return context.signal?.aborted ? (context.signal.reason as unknown) : undefined;
}

/**
 * Calls `listener` once when the request's work is aborted (at once when it already was); returns the function
 * that removes it. Unlike `signal.addEventListener` it creates no signal on a served request.
 */
export function onRequestAbort(context: RequestContext, listener: (reason: unknown) => void): () => void {
  if (context instanceof ServedRequestContext) return context.onAbort(listener);
  const signal = context.signal;
  if (!signal) return noop;
  if (signal.aborted) {
    listener(signal.reason);
    return noop;
  }
  const onAbort = () => listener(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
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

/** The prefix length IPv6 clients are grouped by: one /64 is one subscriber, who can pick any address inside it. */
export const IPV6_CLIENT_PREFIX = 64;

/**
 * Who the request is from, as rate limiting and idempotency key their state: the authenticated principal
 * (`principal:<id>`), else the client address (`ip:<address>`, IPv6 by /64). The one place this is worked out,
 * so that a limit and a stored response always agree on who the client is.
 */
export function clientKeyOf(req: IncomingMessage & { ip?: string }): string {
  const principal = contextOf(req).principal;
  if (principal !== undefined && principal.kind !== 'anonymous') return `principal:${principal.id}`;
  return `ip:${normalizeIp(clientIpOf(req) ?? '', IPV6_CLIENT_PREFIX)}`;
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
