/**
 * Public surface of tracing: the module (span flush at shutdown, dropped-spans metric, checkout spans). The SDK
 * starts from `register.ts`, imported first by main.ts; the span helpers every layer uses are in platform/spans.
 */
export { TracingModule } from './tracing.module';
