import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-node';

/**
 * Wraps the OTLP exporter to count what it loses: every span of a batch that failed, or that got no answer
 * within `timeoutMs` (a hanging collector), is added to `dropped`; a late answer is then ignored. It also
 * counts the spans handed over, which is how {@link BoundedSpanProcessor} knows the batch processor's queue length.
 */
export class CountingSpanExporter implements SpanExporter {
  /** Spans handed to export() so far. */
  handedOver = 0;
  /** Spans lost in failed or timed-out exports. */
  dropped = 0;

  constructor(
    private readonly inner: SpanExporter,
    private readonly timeoutMs: number,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.handedOver += spans.length;
    let settled = false;
    const settle = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (result.code !== ExportResultCode.SUCCESS) this.dropped += spans.length;
      resultCallback(result);
    };
    const timer = setTimeout(
      () => settle({ code: ExportResultCode.FAILED, error: new Error(`span export timed out after ${this.timeoutMs} ms`) }),
      this.timeoutMs,
    );
    timer.unref();
    try {
      this.inner.export(spans, settle);
    } catch (error) {
      settle({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
