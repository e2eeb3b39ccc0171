import type { DataSource } from 'typeorm';

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

/** Wraps one checkout: gets `obtain` (the pool's own checkout) and returns the checkout to hand out. */
export type CheckoutGuard = (obtain: () => Promise<Checkout>) => Promise<Checkout>;

interface PostgresCheckoutDriver {
  slaves: unknown[];
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
