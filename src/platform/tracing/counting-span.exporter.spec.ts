import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-node';
import { CountingSpanExporter } from './counting-span.exporter';

const spans = (n: number) => Array.from({ length: n }, () => ({}) as ReadableSpan);

/** A stand-in collector connection answering each export as told (the e2e tests use a real receiver). */
function exporterAnswering(answer: ((done: (result: ExportResult) => void) => void) | 'never'): SpanExporter {
  return { export: (_spans, done) => (answer === 'never' ? undefined : answer(done)), shutdown: () => Promise.resolve() };
}

describe(CountingSpanExporter.name, () => {
  it('counts the spans handed over, and as dropped those of failed exports only', async () => {
    const ok = new CountingSpanExporter(
      exporterAnswering((done) => done({ code: ExportResultCode.SUCCESS })),
      1000,
    );
    await new Promise<ExportResult>((resolve) => ok.export(spans(3), resolve));
    expect([ok.handedOver, ok.dropped]).toEqual([3, 0]);
    const failing = new CountingSpanExporter(
      exporterAnswering((done) => done({ code: ExportResultCode.FAILED })),
      1000,
    );
    await new Promise<ExportResult>((resolve) => failing.export(spans(4), resolve));
    expect([failing.handedOver, failing.dropped]).toEqual([4, 4]);
  });

  it('gives up on an export that never answers after its timeout, counting its spans once', async () => {
    let late: ((result: ExportResult) => void) | undefined;
    const hanging = new CountingSpanExporter(
      exporterAnswering((done) => (late = done)),
      50,
    );
    const result = await new Promise<ExportResult>((resolve) => hanging.export(spans(5), resolve));
    expect(result.code).toBe(ExportResultCode.FAILED);
    late?.({ code: ExportResultCode.FAILED });
    expect(hanging.dropped).toBe(5);
    const silent = new CountingSpanExporter(exporterAnswering('never'), 50);
    await new Promise<ExportResult>((resolve) => silent.export(spans(2), resolve));
    expect(silent.dropped).toBe(2);
  });
});
