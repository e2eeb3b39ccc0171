import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/*
 * PRIVATE INTERNALS of TypeORM's postgres driver, read here alone: `obtainMasterConnection` /
 * `obtainSlaveConnection` (the one place every query takes its pooled connection; TypeORM has no public checkout
 * hook) and `master` (the pg Pool, for db_pool_connections). Without the checkout methods the service refuses to
 * start (guardConnectionCheckouts throws: permits and deadlines cannot be enforced otherwise); a missing `master`
 * reads as an empty pool. connection-checkout.spec.ts fails on the TypeORM release that changes either.
 */

/** What a checkout hands out: a pg client, and the function that returns it (an error destroys it). */
export type Checkout = [client: PgClient, release: (error?: Error) => void];

/** The pg client fields a checkout guard may use (`pg.Client` does not type the backend key). */
export interface PgClient {
  host: string;
  port: number;
  /** Backend process id and cancel key, sent by the server at connect (BackendKeyData). */
  processID: number | null;
  secretKey: number | null;
  query: (...args: never[]) => unknown;
}

/** pg's `Client#query(config, values?, callback?)`, for a wrapper that passes three parameters on instead of a rest array. */
export type PgQuery = (this: unknown, config: unknown, values?: unknown, callback?: unknown) => unknown;

/** Wraps one checkout: gets `obtain` (the pool's own checkout) and returns the checkout to hand out. */
export type CheckoutGuard = (obtain: () => Promise<Checkout>) => Promise<Checkout>;

interface PostgresCheckoutDriver {
  slaves: unknown[];
  master?: Pool;
  obtainMasterConnection(): Promise<Checkout>;
  obtainSlaveConnection(): Promise<Checkout>;
}

/**
 * The hook point for everything that must happen around a pooled connection: every query TypeORM runs —
 * repositories, query builders, `dataSource.query`, transactions — takes its connection through the
 * Postgres driver's `obtainMasterConnection`/`obtainSlaveConnection`, so wrapping those two covers them all
 * without any repository remembering it. The driver object lives as long as the DataSource (re-initialising
 * after a failed start keeps it), so one call at module init lasts. Guards compose: each wraps the current one.
 */
export function guardConnectionCheckouts(dataSource: DataSource, guard: CheckoutGuard): void {
  const driver = dataSource.driver as unknown as PostgresCheckoutDriver;
  if (typeof driver.obtainMasterConnection !== 'function' || typeof driver.obtainSlaveConnection !== 'function') {
    throw new Error(`connection checkouts can be guarded on the postgres driver only (got ${dataSource.options.type})`);
  }
  const master = driver.obtainMasterConnection.bind(driver);
  const slave = driver.obtainSlaveConnection.bind(driver);
  driver.obtainMasterConnection = () => guard(master);
  // Without replicas the driver's slave path calls obtainMasterConnection (guarded above): guard once only.
  driver.obtainSlaveConnection = () => (driver.slaves.length === 0 ? slave() : guard(slave));
}

/** The pg Pool behind TypeORM's postgres driver; undefined until connected and after close. */
export function driverPool(dataSource: DataSource): Pool | undefined {
  return (dataSource.driver as unknown as PostgresCheckoutDriver).master;
}
