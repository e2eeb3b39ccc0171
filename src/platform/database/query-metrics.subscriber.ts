import type { Histogram } from 'prom-client';
import { type AfterQueryEvent, type BeforeQueryEvent, type EntitySubscriberInterface, EventSubscriber, type QueryRunner } from 'typeorm';

const STARTED = Symbol('ballast:query-started-at');
type Timed<R> = R & { [STARTED]?: number[] };

/** Values of `db_query_duration_seconds{outcome}`. */
export type QueryOutcome = 'ok' | 'error' | 'timeout' | 'constraint';

/** SQLSTATE class 23, integrity constraint violation: unique, foreign key, check, not-null, exclusion, restrict. */
const CONSTRAINT_VIOLATION_CLASS = '23';

/**
 * How a failed query ended: a statement/query timeout; a constraint violation (SQLSTATE class 23 — the
 * database refused the client's data, e.g. a duplicate email, and answered correctly: counted apart so that
 * the failure alert sees only the database failing); or any other error.
 */
export function queryOutcomeOf(error: unknown): QueryOutcome {
  const failure = error as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  const code = failure?.code ?? failure?.driverError?.code;
  const message = error instanceof Error ? error.message : '';
  if (code === '57014' || message.includes('Query read timeout')) return 'timeout';
  if (typeof code === 'string' && code.length === 5 && code.startsWith(CONSTRAINT_VIOLATION_CLASS)) return 'constraint';
  return 'error';
}

/**
 * A TypeORM subscriber class that times every query the DataSource runs — repositories, query builders,
 * `dataSource.query`, migrations, health checks — into `db_query_duration_seconds{outcome}`. Timing runs
 * from TypeORM's BeforeQuery to AfterQuery event, after the connection was acquired: pool waits show in
 * `db_pool_connections{state="waiting"}`, not here. TypeORM instantiates subscriber classes itself, hence
 * a class built around the injected histogram rather than a provider.
 */
export function createQueryMetricsSubscriber(histogram: Histogram<'outcome'>): new () => EntitySubscriberInterface {
  // One query runner serves one connection, and pg answers a connection's queries in order: a FIFO of
  // start times per runner pairs every AfterQuery with its BeforeQuery, even for queued queries. Kept on the
  // runner under a symbol rather than in a WeakMap: TypeORM makes a runner per repository call, and a WeakMap
  // entry per request is measurably dearer (ephemeron bookkeeping in every scavenge).
  const observe = (outcome: QueryOutcome, seconds: number) => histogram.observe({ outcome }, seconds);

  @EventSubscriber()
  class QueryMetricsSubscriber implements EntitySubscriberInterface {
    beforeQuery(event: BeforeQueryEvent): void {
      const runner = event.queryRunner as Timed<QueryRunner> | undefined;
      if (!runner) return;
      const queue = runner[STARTED];
      if (queue) queue.push(performance.now());
      else runner[STARTED] = [performance.now()];
    }

    afterQuery(event: AfterQueryEvent): void {
      const startedAt = (event.queryRunner as Timed<QueryRunner> | undefined)?.[STARTED]?.shift();
      if (startedAt === undefined) return;
      observe(event.success ? 'ok' : queryOutcomeOf(event.error), (performance.now() - startedAt) / 1000);
    }
  }
  return QueryMetricsSubscriber;
}
