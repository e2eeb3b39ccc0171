import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../test/utils/embedded-postgres';
import { pinPids } from './processes';

/** A database for one bench run, on BENCH_DATABASE_URL/DATABASE_URL or an embedded PostgreSQL. */
export interface BenchDatabase {
  url: string;
  where: string;
  drop(): Promise<void>;
}

async function admin<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  let adminUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  let stopServer: (() => Promise<void>) | undefined;
  let where = adminUrl ? new URL(adminUrl).host : '';
  if (!adminUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'ballast-bench-pg-'));
    chmodSync(dir, 0o755);
    const server = await startEmbeddedPostgres(dir);
    adminUrl = server.url;
    where = `embedded ${new URL(server.url).host}`;
    stopServer = async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const name = `ballast_bench_${randomBytes(4).toString('hex')}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    where,
    drop: async () => {
      await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      await stopServer?.();
    },
  };
}

/** Inserts `count` users (after Ballast migrated the schema) and returns one id to read. */
export async function seedUsers(url: string, count: number): Promise<string> {
  return admin(url, async (c) => {
    await c.query(
      `INSERT INTO users (id, email, name)
       SELECT gen_random_uuid(), 'bench' || i || '@example.com', 'Bench ' || i FROM generate_series(1, $1) AS i`,
      [count],
    );
    const { rows } = await c.query<{ id: string }>('SELECT id FROM users ORDER BY id OFFSET $1 LIMIT 1', [Math.floor(count / 2)]);
    if (!rows[0]) throw new Error('seeding failed');
    return rows[0].id;
  });
}

/**
 * Throws, before any server starts, unless PostgreSQL has room for `needed` more client connections (each
 * Ballast target opens its whole pool at boot, raw and bare theirs under load): a clear message instead of
 * "too many clients" from a target halfway through the run.
 */
export async function checkConnectionRoom(url: string, needed: number, what: string): Promise<void> {
  const { max, used } = await admin(url, async (c) => {
    const { rows } = await c.query<{ max: number; used: number }>(
      `SELECT current_setting('max_connections')::int AS max,
              (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS used`,
    );
    return rows[0] ?? { max: 0, used: 0 };
  });
  if (max - used < needed) {
    throw new Error(
      `PostgreSQL has room for ${max - used} more connections (max_connections ${max}, ${used} open), ${what} need ${needed}: ` +
        'lower BENCH_POOL or raise max_connections',
    );
  }
}

/** Pins the PostgreSQL backends serving the bench database to `core` (where permitted); returns how many. */
export async function pinDatabaseBackends(url: string, core: number): Promise<number> {
  const pids = await admin(url, async (c) => {
    const { rows } = await c.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return rows.map((r) => r.pid);
  });
  return pinPids(pids, core);
}
