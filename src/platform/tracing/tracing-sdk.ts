import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { BoundedSpanProcessor } from './bounded-span.processor';
import { CountingSpanExporter } from './counting-span.exporter';
import { setTracingRuntime, type TracingRuntime } from '../spans/tracing-runtime';
import { samplerOf } from './tracing-sampler';
import type { TracingSettings } from '../../config/tracing-settings';

type JsonExporterModule = typeof import('@opentelemetry/exporter-trace-otlp-http');
type ProtoExporterModule = typeof import('@opentelemetry/exporter-trace-otlp-proto');

function exporterFor(settings: TracingSettings): SpanExporter {
  const options = { url: settings.url, timeoutMillis: settings.exportRequestTimeoutMs };
  // Required here, not imported: only the configured transport is loaded.
  if (settings.protocol === 'http/json') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- synchronous, and only the configured transport loads
    const json = require('@opentelemetry/exporter-trace-otlp-http') as JsonExporterModule;
    return new json.OTLPTraceExporter(options);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- synchronous, and only the configured transport loads
  const proto = require('@opentelemetry/exporter-trace-otlp-proto') as ProtoExporterModule;
  return new proto.OTLPTraceExporter(options);
}

/**
 * Starts the OpenTelemetry SDK: a tracer provider with the configured sampler, and a batch processor with a bounded
 * queue, in front of which every dropped span is counted. No instrumentation patches a module: Ballast makes its
 * spans where it already sees the work — the SERVER span at its edge, after the sampler decided; handler, query and
 * outbound spans only inside a sampled request (see src/platform/spans). Runs before Nest loads (register.ts).
 */
export function startTracing(settings: TracingSettings): TracingRuntime {
  const exporter = new CountingSpanExporter(exporterFor(settings), settings.exportTimeoutMs);
  const batch = new BatchSpanProcessor(exporter, {
    maxQueueSize: settings.maxQueueSize,
    maxExportBatchSize: settings.maxExportBatchSize,
    scheduledDelayMillis: settings.scheduleDelayMs,
    exportTimeoutMillis: settings.exportTimeoutMs,
  });
  const bounded = new BoundedSpanProcessor(batch, exporter, settings.maxQueueSize);
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }))
    // OTEL_RESOURCE_ATTRIBUTES (and OTEL_SERVICE_NAME again, which wins as the spec says).
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, sampler: samplerOf(settings), spanProcessors: [bounded] });
  // The AsyncLocalStorage context manager, entered by sampled requests only (nested spans: handler, query, outbound).
  provider.register();
  let stopping: Promise<void> | undefined;
  const runtime: TracingRuntime = {
    droppedSpans: () => bounded.dropped + exporter.dropped,
    shutdown: () => (stopping ??= provider.shutdown()),
  };
  setTracingRuntime(runtime);
  return runtime;
}
