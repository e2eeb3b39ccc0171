import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { DataSource } from 'typeorm';
import { guardConnectionCheckouts } from './connection-checkout';
import { BALLAST_TRACER, DB_CHECKOUT_SPAN } from '../spans';

/**
 * Puts every connection checkout made inside a trace under a `db.checkout` span. Installed after the other
 * checkout guards (so it wraps them): the span covers the permit wait (DB_PERMITS) and then the pool's
 * acquire, which the pg instrumentation records as the child `pg-pool.connect` — the permit wait is the gap
 * before that child starts. Outside a trace (start-up, background work) checkouts are left alone.
 */
export function traceConnectionCheckouts(dataSource: DataSource): void {
  const tracer = trace.getTracer(BALLAST_TRACER);
  guardConnectionCheckouts(dataSource, (obtain) => {
    if (!trace.getActiveSpan()) return obtain();
    return tracer.startActiveSpan(
      DB_CHECKOUT_SPAN,
      { kind: SpanKind.INTERNAL, attributes: { 'db.system.name': 'postgresql' } },
      async (span) => {
        try {
          return await obtain();
        } catch (error) {
          span.setAttribute('error.type', error instanceof Error ? error.constructor.name : 'unknown');
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  });
}
