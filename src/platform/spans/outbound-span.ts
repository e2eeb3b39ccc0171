import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { recordSpanError } from './span-error';
import { BALLAST_TRACER, TRACING_ATTRIBUTE } from './tracing.constants';

/** What an outbound span needs to know of the HTTP client making the call. */
export interface TracedUpstream {
  readonly name: string;
  readonly circuitState: string;
}

/**
 * One INTERNAL span per outbound call (`outbound <upstream>`) with the circuit state before and after and the
 * number of retries; each attempt under it is a CLIENT span ({@link traceOutboundAttempt}). Outside a sampled
 * request (or with tracing off) the call runs as is.
 */
export async function traceOutboundCall<T>(upstream: TracedUpstream, call: () => Promise<T>): Promise<T> {
  if (trace.getActiveSpan()?.isRecording() !== true) return call();
  const tracer = trace.getTracer(BALLAST_TRACER);
  const attributes = {
    [TRACING_ATTRIBUTE.outboundUpstream]: upstream.name,
    [TRACING_ATTRIBUTE.circuitStateAtStart]: upstream.circuitState,
    [TRACING_ATTRIBUTE.outboundRetries]: 0,
  };
  return tracer.startActiveSpan(`outbound ${upstream.name}`, { kind: SpanKind.INTERNAL, attributes }, async (span) => {
    try {
      return await call();
    } catch (error) {
      recordSpanError(span, error);
      throw error;
    } finally {
      span.setAttribute(TRACING_ATTRIBUTE.circuitStateAtEnd, upstream.circuitState);
      span.end();
    }
  });
}

/** Adds a `retry` event to the active outbound span (attempt number, why the previous one failed) and counts it. */
export function recordOutboundRetry(attempt: number, failure: unknown): void {
  const reason =
    failure instanceof Error
      ? failure.constructor.name
      : typeof failure === 'object' && failure !== null && 'status' in failure
        ? `http_${String(failure.status)}`
        : 'unknown';
  const span = trace.getActiveSpan();
  span?.addEvent('retry', { 'ballast.outbound.attempt': attempt, 'ballast.outbound.retry_reason': reason });
  span?.setAttribute(TRACING_ATTRIBUTE.outboundRetries, attempt);
}

/**
 * One CLIENT span per outbound attempt, inside a sampled request: semantic-convention attributes, the response's
 * status (5xx marks an error), and its own context as the `traceparent` the attempt sends (set on `headers`).
 * Otherwise the attempt runs as is, with the request's `traceparent` already in `headers`.
 */
export async function traceOutboundAttempt<R extends { status: number }>(
  method: string,
  origin: string,
  path: string,
  headers: Record<string, string>,
  attempt: () => Promise<R>,
): Promise<R> {
  if (trace.getActiveSpan()?.isRecording() !== true) return attempt();
  const url = new URL(path, origin);
  const span = trace.getTracer(BALLAST_TRACER).startSpan(method, {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': method,
      'url.full': url.href,
      'server.address': url.hostname,
      'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    },
  });
  const ids = span.spanContext();
  headers['traceparent'] = `00-${ids.traceId}-${ids.spanId}-0${ids.traceFlags & 1}`;
  try {
    const response = await attempt();
    span.setAttribute('http.response.status_code', response.status);
    if (response.status >= 500) {
      span.setAttribute('error.type', String(response.status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    return response;
  } catch (error) {
    recordSpanError(span, error);
    throw error;
  } finally {
    span.end();
  }
}
