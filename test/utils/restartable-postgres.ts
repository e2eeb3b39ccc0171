import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedPostgres, embeddedPostgresUrl } from '../../src/platform/database/embedded-postgres';
import { freePort } from './app-process';

/** An embedded PostgreSQL of its own (never the machine's shared server) that a test stops and starts again. */
export interface RestartablePostgres {
  port: number;
  url: string;
  readonly running: boolean;
  start(): Promise<void>;
  /** Fast shutdown: every session is terminated, as when a database fails over. */
  stop(): Promise<void>;
  /** Stops it and removes its data folder. */
  destroy(): Promise<void>;
}

/** Initialises (not starts) a PostgreSQL data folder bound to one free port, kept across restarts. */
export async function createRestartablePostgres(): Promise<RestartablePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'ballast-restartable-pg-'));
  const port = await freePort();
  const pg = await createEmbeddedPostgres({ databaseDir: join(dir, 'data'), port, persistent: true });
  await pg.initialise();
  let running = false;
  return {
    port,
    url: embeddedPostgresUrl(port),
    get running() {
      return running;
    },
    async start() {
      await pg.start();
      running = true;
    },
    async stop() {
      await pg.stop();
      running = false;
    },
    async destroy() {
      if (running) await pg.stop();
      running = false;
      // As root the data may stand elsewhere (createEmbeddedPostgres): remove both.
      rmSync(pg.databaseDir, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
