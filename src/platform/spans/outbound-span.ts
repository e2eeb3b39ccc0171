import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BALLAST_TRACER } from './handler-span.interceptor';
import { TRACING_ATTRIBUTE } from './tracing.constants';

/** What an outbound span needs to know of the HTTP client making the call. */
export interface TracedUpstream {
  readonly name: string;
  readonly circuitState: string;
}

/**
 * One INTERNAL span per outbound call (`outbound <upstream>`) with the circuit state before and after and the
 * number of retries; each attempt under it is a CLIENT span of the undici instrumentation, which also puts
 * the attempt's `traceparent` on the wire. Outside a trace (or with tracing off) the call runs as is.
 */
export async function traceOutboundCall<T>(upstream: TracedUpstream, call: () => Promise<T>): Promise<T> {
  if (!trace.getActiveSpan()) return call();
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
      span.setAttribute('error.type', error instanceof Error ? error.constructor.name : 'unknown');
      span.setStatus({ code: SpanStatusCode.ERROR });
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
