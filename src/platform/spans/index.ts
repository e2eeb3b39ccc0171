/**
 * Public surface of the span helpers: OpenTelemetry's API package only (no SDK), so every layer may use them —
 * a no-op until platform/tracing's register.ts starts the SDK.
 */
export { withHandlerSpan } from './handler-span';
export { endServerSpan, enterServerSpan, markRefusal, startServerSpan, withServerSpan } from './server-span';
export { activeTraceIds, type TraceIds } from './trace-ids';
export { tracingActive, tracingRuntime } from './tracing-runtime';
export { BALLAST_TRACER, DB_CHECKOUT_SPAN, TRACING_ATTRIBUTE, TRACING_SPANS_DROPPED_METRIC } from './tracing.constants';
export { recordOutboundRetry, traceOutboundAttempt, traceOutboundCall } from './outbound-span';
export { recordSpanError } from './span-error';
