import { isSpanContextValid, trace, TraceFlags } from '@opentelemetry/api';

/** The ids of a span, as log lines and exemplars carry them. */
export interface TraceIds {
  traceId: string;
  spanId: string;
  /** Sampled: the span will be exported (an exemplar only points at those). */
  sampled: boolean;
}

/** The ids of the active span, or undefined outside one (always, with tracing off: no context manager). */
export function activeTraceIds(): TraceIds | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const context = span.spanContext();
  if (!isSpanContextValid(context)) return undefined;
  return { traceId: context.traceId, spanId: context.spanId, sampled: (context.traceFlags & TraceFlags.SAMPLED) !== 0 };
}
