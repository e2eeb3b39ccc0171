import type { Histogram } from 'prom-client';
import { type AfterQueryEvent, type BeforeQueryEvent, type EntitySubscriberInterface, EventSubscriber, type QueryRunner } from 'typeorm';

/** Values of `db_query_duration_seconds{outcome}`. */
export type QueryOutcome = 'ok' | 'error' | 'timeout';

/** How a failed query ended: a statement/query timeout, or any other error. */
export function queryOutcomeOf(error: unknown): QueryOutcome {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : '';
  return code === '57014' || message.includes('Query read timeout') ? 'timeout' : 'error';
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
  // start times per runner pairs every AfterQuery with its BeforeQuery, even for queued queries.
  const started = new WeakMap<QueryRunner, number[]>();

  @EventSubscriber()
  class QueryMetricsSubscriber implements EntitySubscriberInterface {
    beforeQuery(event: BeforeQueryEvent): void {
      const runner = event.queryRunner;
      const queue = started.get(runner);
      if (queue) queue.push(performance.now());
      else started.set(runner, [performance.now()]);
    }

    afterQuery(event: AfterQueryEvent): void {
      const startedAt = started.get(event.queryRunner)?.shift();
      if (startedAt === undefined) return;
      const outcome = event.success ? 'ok' : queryOutcomeOf(event.error);
      histogram.observe({ outcome }, (performance.now() - startedAt) / 1000);
    }
  }
  return QueryMetricsSubscriber;
}
