/**
 * Public surface of the span helpers: OpenTelemetry's API package only (no SDK), so every layer may use them —
 * a no-op until platform/tracing's register.ts starts the SDK.
 */
export { BALLAST_TRACER, HandlerSpanInterceptor } from './handler-span.interceptor';
export { markRefusal, onServerSpanEnd } from './server-span';
export { activeTraceIds, type TraceIds } from './trace-ids';
export { tracingActive, tracingRuntime } from './tracing-runtime';
export { DB_CHECKOUT_SPAN, TRACING_ATTRIBUTE, TRACING_SPANS_DROPPED_METRIC } from './tracing.constants';
export { recordOutboundRetry, traceOutboundCall } from './outbound-span';
