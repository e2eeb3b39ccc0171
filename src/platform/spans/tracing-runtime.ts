/** The running SDK, as the Nest side sees it (no SDK type leaks out of tracing-sdk.ts). */
export interface TracingRuntime {
  /** Spans dropped so far: queue full, export failed or timed out. */
  readonly droppedSpans: () => number;
  /** Exports what is queued, then stops the SDK (idempotent). */
  readonly shutdown: () => Promise<void>;
}

let runtime: TracingRuntime | undefined;

/** The SDK started by `register.ts`, or undefined when tracing is off. */
export function tracingRuntime(): TracingRuntime | undefined {
  return runtime;
}

/** True when the SDK runs (spans are recorded and the SDK propagates `traceparent` itself). */
export function tracingActive(): boolean {
  return runtime !== undefined;
}

/** Set once by tracing-sdk.ts. */
export function setTracingRuntime(value: TracingRuntime): void {
  runtime = value;
}
