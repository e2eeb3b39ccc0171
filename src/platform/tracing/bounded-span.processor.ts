import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { CountingSpanExporter } from './counting-span.exporter';

/**
 * In front of the BatchSpanProcessor: a span that would find its queue full (OTEL_BSP_MAX_QUEUE_SIZE) is
 * dropped here and counted, since the batch processor drops silently. The queue length is what was passed
 * on minus what the exporter was handed (the batch processor takes spans off its queue when it exports).
 */
export class BoundedSpanProcessor implements SpanProcessor {
  private passedOn = 0;
  /** Spans dropped because the queue was full. */
  dropped = 0;

  constructor(
    private readonly batch: SpanProcessor,
    private readonly exporter: CountingSpanExporter,
    private readonly maxQueueSize: number,
  ) {}

  onStart(span: Span, parentContext: Context): void {
    this.batch.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    // Unsampled spans never reach the queue (the batch processor skips them too).
    if ((span.spanContext().traceFlags & 1) === 0) return;
    if (this.passedOn - this.exporter.handedOver >= this.maxQueueSize) {
      this.dropped++;
      return;
    }
    this.passedOn++;
    this.batch.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.batch.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.batch.shutdown();
  }
}
