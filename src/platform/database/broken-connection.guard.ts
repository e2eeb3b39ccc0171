import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { DatabaseError } from 'pg';
import type { Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { METRIC } from '../observability/metrics.constants';
import { type Checkout, type CheckoutGuard, guardConnectionCheckouts, type PgClient, type PgQuery } from './connection-checkout';
import { type QueryOutcome, queryOutcomeOf } from './query-outcome';

/**
 * True when a failed query leaves its connection unusable: anything PostgreSQL did not answer itself — a client
 * `query_timeout` ("Query read timeout": pg leaves the unanswered query active, so every later query on that
 * client queues behind it and times out too), a socket error, a terminated connection — and the server's own
 * connection-level errors (class 08, 57P admin/crash shutdown). A statement the server cancelled or refused
 * (57014, 23505, 42P01, ...) leaves a healthy connection.
 */
export function breaksConnection(error: unknown): boolean {
  if (!(error instanceof DatabaseError)) return true;
  const code = error.code ?? '';
  return code.startsWith('08') || code.startsWith('57P');
}

/** What the watch keeps on one pooled pg client, for its whole life. */
interface ClientWatch {
  /** The first connection-level failure of the current checkout, if any. */
  broken: Error | undefined;
  readonly settled: () => void;
  readonly failed: (error: unknown) => void;
}

const WATCH = Symbol('ballast:client-watch');
type WatchedClient = PgClient & { [WATCH]?: ClientWatch };

/**
 * Watches every query on every pooled connection, in a request or not (start-up, migrations, background work):
 * - times it into `db_query_duration_seconds{outcome}`, from the call on the pg client (the connection is held
 *   by then: pool waits show in `db_pool_connections{state="waiting"}`) to its answer;
 * - destroys, instead of pooling again, a connection on which a query failed at the connection level (see
 *   {@link breaksConnection}). TypeORM's query runner releases its client without the error after a failed query
 *   (only a client `error` event passes one), and pg-pool destroys a client only when released with an error:
 *   without this a half-open connection whose query timed out is handed to the next request, for as long as its
 *   socket stays open (up to DB_MAX_LIFETIME_MS).
 * The watch is installed once per pg client, at its first checkout, and stays: a checkout only resets its
 * failure and wraps the release, instead of wrapping `client.query` anew with closures per checkout (the
 * benchmark measured ~1 KB allocated per request for that). Timing here rather than in a TypeORM subscriber:
 * TypeORM's broadcaster then has no subscriber to run its query and load events through (~1.5 KB per request).
 */
@Injectable()
export class BrokenConnectionGuard implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectMetric(METRIC.dbQueryDuration) queryDuration: Histogram<'outcome'>,
  ) {
    const observe = (outcome: QueryOutcome) => queryDuration.labels(outcome);
    this.observers = { ok: observe('ok'), error: observe('error'), timeout: observe('timeout'), constraint: observe('constraint') };
  }

  /** The histogram's children per outcome, bound once (no label hashing per query). */
  private readonly observers: Record<QueryOutcome, Histogram.Internal<'outcome'>>;

  onModuleInit(): void {
    guardConnectionCheckouts(this.dataSource, this.guard);
  }

  private readonly guard: CheckoutGuard = (obtain) => obtain().then(this.watchCheckout);

  private readonly watchCheckout = (checkout: Checkout): Checkout => {
    const [client, release] = checkout;
    const watch = (client as WatchedClient)[WATCH] ?? this.install(client);
    watch.broken = undefined;
    return [client, (error?: Error) => release(error ?? (watch.broken ? discarded(watch.broken) : undefined))];
  };

  private install(client: WatchedClient): ClientWatch {
    const observers = this.observers;
    // Start times of the queries sent and not yet settled: pg answers a client's queries in order (FIFO).
    const started: number[] = [];
    const watch: ClientWatch = {
      broken: undefined,
      settled: () => {
        const at = started.shift();
        if (at !== undefined) observers.ok.observe((performance.now() - at) / 1000);
      },
      failed: (error: unknown) => {
        const at = started.shift();
        if (at !== undefined) observers[queryOutcomeOf(error)].observe((performance.now() - at) / 1000);
        if (!watch.broken && breaksConnection(error)) watch.broken = error instanceof Error ? error : new Error(String(error));
      },
    };
    const query = client.query as unknown as PgQuery;
    // pg's query(config, values?, callback?): three parameters, not a rest array per call.
    client.query = function (this: unknown, config: unknown, values?: unknown, callback?: unknown) {
      // Later queries on a broken checkout (a transaction's ROLLBACK) would queue behind the hung one and wait
      // a whole query timeout more: fail them at once.
      if (watch.broken && typeof values !== 'function' && typeof callback !== 'function') {
        return Promise.reject(discarded(watch.broken));
      }
      const result = query.call(this, config, values, callback);
      // Observed before the caller's own handler runs (registered first), so `broken` is set before release.
      if (result instanceof Promise) {
        started.push(performance.now());
        result.then(watch.settled, watch.failed);
      }
      return result;
    };
    client[WATCH] = watch;
    return watch;
  }
}

function discarded(broken: Error): Error {
  return new Error(`connection discarded after a connection-level failure: ${broken.message}`);
}
