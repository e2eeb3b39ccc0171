import { createEmbeddedPostgres, embeddedPostgresUrl } from '../../src/platform/database/embedded-postgres';
import { freePort } from '../../src/platform/database/free-port';

/** A throwaway embedded PostgreSQL for one test run. */
export interface EmbeddedTestPostgres {
  url: string;
  dir: string;
  stop(): Promise<void>;
}

/** Initialises and starts a PostgreSQL from the `embedded-postgres` package in `dir` (as root maybe a stand-in: `.dir`). */
export async function startEmbeddedPostgres(dir: string): Promise<EmbeddedTestPostgres> {
  const port = await freePort();
  const pg = await createEmbeddedPostgres({ databaseDir: dir, port, persistent: false, postgresFlags: ['-c', 'max_connections=300'] });
  await pg.initialise();
  await pg.start();
  return { url: embeddedPostgresUrl(port), dir: pg.databaseDir, stop: () => pg.stop() };
}
