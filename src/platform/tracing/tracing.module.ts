import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { TRACING_SPANS_DROPPED_METRIC, tracingActive } from '../spans';
import { HandlerSpans } from './handler-spans.service';
import { TracingLifecycle } from './tracing-lifecycle.service';

/**
 * Tracing for every feature without a line of its own: handler spans, checkout and query spans, the
 * shutdown flush and `tracing_spans_dropped_total`. The SDK itself is started by register.ts before Nest
 * loads; with tracing off this module adds only the (zero) counter.
 */
@Module({})
export class TracingModule {
  /** Reads whether register.ts started the SDK. */
  static forRoot(): DynamicModule {
    const providers: Provider[] = [
      makeCounterProvider({
        name: TRACING_SPANS_DROPPED_METRIC,
        help: 'Spans dropped: export queue full (OTEL_BSP_MAX_QUEUE_SIZE), export failed or timed out.',
      }),
      TracingLifecycle,
    ];
    if (!tracingActive()) return { module: TracingModule, providers };
    return { module: TracingModule, imports: [DiscoveryModule], providers: [...providers, HandlerSpans] };
  }
}
