export { TracingModule } from './tracing.module';
export { HandlerSpanInterceptor } from './handler-span.interceptor';
export { markRefusal, onServerSpanEnd } from './server-span';
export { activeTraceIds, type TraceIds } from './trace-ids';
export { tracingActive } from './tracing-runtime';
export { TRACING_ATTRIBUTE, TRACING_SPANS_DROPPED_METRIC } from './tracing.constants';
export { tracingEnvShape } from './tracing-env.schema';
export { type TracingSettings } from './tracing-settings';
export { recordOutboundRetry, traceOutboundCall } from './outbound-span';
