import {
  context as otelContext,
  createTraceState,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { contextOf } from '../request-context/request-context';
import { BALLAST_TRACER, TRACING_ATTRIBUTE } from './tracing.constants';

/**
 * Starts the request's SERVER span at the edge: the sampler decides first, from the incoming `traceparent` (a valid
 * one, see acceptTraceparent) and the configured sampler, before any attribute is computed. An unsampled request
 * gets the SDK's non-recording span (its ids propagate, flag 00) and nothing else: no attributes, no active context.
 */
export function startServerSpan(req: IncomingMessage, traceparent: string | undefined, tracestate: string | undefined): Span {
  const parent =
    traceparent === undefined
      ? ROOT_CONTEXT
      : trace.setSpanContext(ROOT_CONTEXT, {
          traceId: traceparent.slice(3, 35),
          spanId: traceparent.slice(36, 52),
          traceFlags: Number.parseInt(traceparent.slice(53, 55), 16) & TraceFlags.SAMPLED,
          isRemote: true,
          traceState: tracestate === undefined ? undefined : createTraceState(tracestate),
        });
  const span = trace.getTracer(BALLAST_TRACER).startSpan(req.method ?? 'HTTP', { kind: SpanKind.SERVER }, parent);
  if (span.isRecording()) span.setAttributes(requestAttributes(req));
  return span;
}

/** Runs `next` with the request's SERVER span active (sampled requests only: an unsampled one enters no context). */
export function withServerSpan(req: IncomingMessage, next: () => void): void {
  const span = contextOf(req).traceSpan;
  if (span?.isRecording()) otelContext.with(trace.setSpan(ROOT_CONTEXT, span), next);
  else next();
}

/** The edge step after body parsing (stream callbacks lose the async context): re-enters the SERVER span's context. */
export function enterServerSpan(req: IncomingMessage, _res: ServerResponse, next: () => void): void {
  withServerSpan(req, next);
}

/** Ends a SERVER span with the status the client got; 5xx marks it as an error (`error.type` = the status code). */
export function endServerSpan(span: Span, status: number): void {
  span.setAttribute('http.response.status_code', status);
  if (status >= 500) {
    span.setAttribute('error.type', String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/**
 * Records on the request's SERVER span why the request is being refused: the problem slug of the 503/429/413/415/504
 * it gets. `req` where the edge answers (no context entered yet); else the active span. A no-op unsampled.
 */
export function markRefusal(reason: string, req?: IncomingMessage): void {
  const span = req ? contextOf(req).traceSpan : trace.getActiveSpan();
  if (span?.isRecording()) span.setAttribute(TRACING_ATTRIBUTE.refusalReason, reason);
}

/** The stable HTTP semantic conventions' request attributes of a SERVER span. */
function requestAttributes(req: IncomingMessage): Record<string, string | number> {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const socket = req.socket;
  const host = req.headers.host ?? '';
  const colon = host.lastIndexOf(':');
  const attributes: Record<string, string | number> = {
    'http.request.method': req.method ?? 'GET',
    'url.path': query === -1 ? url : url.slice(0, query),
    'url.scheme': 'encrypted' in socket && socket.encrypted ? 'https' : 'http',
    'network.protocol.version': req.httpVersion,
    'server.address': colon > 0 && !host.endsWith(']') ? host.slice(0, colon) : host,
  };
  if (colon > 0 && !host.endsWith(']')) attributes['server.port'] = Number(host.slice(colon + 1));
  if (query !== -1) attributes['url.query'] = url.slice(query + 1);
  if (socket.remoteAddress !== undefined) {
    attributes['client.address'] = socket.remoteAddress;
    attributes['network.peer.address'] = socket.remoteAddress;
  }
  if (socket.remotePort !== undefined) attributes['network.peer.port'] = socket.remotePort;
  const userAgent = req.headers['user-agent'];
  if (userAgent !== undefined) attributes['user_agent.original'] = userAgent;
  return attributes;
}
