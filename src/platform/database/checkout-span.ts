import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { DataSource } from 'typeorm';
import { guardConnectionCheckouts, type PgClient, type PgQuery } from './connection-checkout';
import { BALLAST_TRACER, DB_CHECKOUT_SPAN, recordSpanError } from '../spans';

const QUERY_SPANS = Symbol('ballast:query-spans');

type TracedClient = PgClient & { database?: string; [QUERY_SPANS]?: true };

/**
 * With tracing on, puts the database work of a sampled request under spans, at the one place every query passes
 * (the checkout pipeline): a `db.checkout` span per checkout (the permit wait, DB_PERMITS, then the pool's acquire),
 * and a CLIENT span per query (`db.query.text` with its `$n` placeholders, never the parameter values). Installed after
 * the other checkout guards, so it wraps them. An unsampled request, and work outside any request (start-up,
 * background), makes no span: one active-span read per checkout and per query.
 */
export function traceConnectionCheckouts(dataSource: DataSource): void {
  const tracer = trace.getTracer(BALLAST_TRACER);
  guardConnectionCheckouts(dataSource, async (obtain) => {
    if (trace.getActiveSpan()?.isRecording() !== true) {
      const checkout = await obtain();
      traceQueries(checkout[0]);
      return checkout;
    }
    return tracer.startActiveSpan(
      DB_CHECKOUT_SPAN,
      { kind: SpanKind.INTERNAL, attributes: { 'db.system.name': 'postgresql' } },
      async (span) => {
        try {
          const checkout = await obtain();
          traceQueries(checkout[0]);
          return checkout;
        } catch (error) {
          recordSpanError(span, error);
          throw error;
        } finally {
          span.end();
        }
      },
    );
  });
}

/** Wraps a pooled client's `query` once for its life: a CLIENT span per query made inside a sampled request. */
function traceQueries(client: TracedClient): void {
  if (client[QUERY_SPANS]) return;
  client[QUERY_SPANS] = true;
  const tracer = trace.getTracer(BALLAST_TRACER);
  const query = client.query as unknown as PgQuery;
  client.query = function (this: unknown, config: unknown, values?: unknown, callback?: unknown) {
    if (trace.getActiveSpan()?.isRecording() !== true) return query.call(this, config, values, callback);
    const raw = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
    const text = typeof raw === 'string' ? raw : '';
    const operation = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? 'QUERY';
    const database = client.database ?? 'postgres';
    const span = tracer.startSpan(`pg.query:${operation} ${database}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': 'postgresql',
        'db.namespace': database,
        'db.operation.name': operation,
        'db.query.text': text,
        'server.address': client.host,
        'server.port': client.port,
      },
    });
    const end = (error?: unknown) => {
      if (error) {
        span.setAttribute('error.type', (error as { code?: string }).code ?? (error instanceof Error ? error.constructor.name : 'unknown'));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    };
    // pg's callback forms: query(config, callback) and query(config, values, callback).
    const cbIndex = typeof values === 'function' ? 1 : typeof callback === 'function' ? 2 : 0;
    if (cbIndex !== 0) {
      const cb = (cbIndex === 1 ? values : callback) as (error: unknown, result: unknown) => void;
      const traced = (error: unknown, result: unknown) => {
        end(error);
        cb(error, result);
      };
      return cbIndex === 1 ? query.call(this, config, traced) : query.call(this, config, values, traced);
    }
    let result: unknown;
    try {
      result = query.call(this, config, values, callback);
    } catch (error) {
      end(error);
      throw error;
    }
    if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(() => end(), end);
    else end();
    return result;
  };
}
