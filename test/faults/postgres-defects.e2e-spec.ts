import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { MIGRATION_LOCK_KEY } from '../../src/platform/database/database-connection.service';
import { type AppProcess, startAppProcess } from '../utils/app-process';
import { type FaultProxy, startFaultProxy } from '../utils/fault-proxy';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';
import { call, statusOf, throughPort, until } from './postgres-fault-harness';

// The three start-up and dead-connection defects of issue 15, each against a real `node dist/main.js` and the
// machine's PostgreSQL (a database of this file's own).
describe('PostgreSQL defects found from outside (real process)', () => {
  let database: TestDatabase;
  let app: AppProcess | undefined;
  let proxy: FaultProxy | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await app?.stop('SIGKILL');
    app = undefined;
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('destroys connections whose query timed out in a black hole: serves again within seconds of the network healing', async () => {
    const pg = new URL(database.url);
    proxy = await startFaultProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
    // The request deadline (10 s) is longer than the client query timeout (statement timeout + 1 s): the query
    // timeout, not the request abort, is what ends each blocked query here.
    app = await startAppProcess({
      DATABASE_URL: throughPort(database.url, proxy.port),
      DB_POOL_MIN: '2',
      DB_POOL_MAX: '3',
      DB_STATEMENT_TIMEOUT_MS: '1000',
      DB_ACQUIRE_TIMEOUT_MS: '1000',
      REQUEST_TIMEOUT_MS: '10000',
      LOG_LEVEL: 'warn',
    });
    await app.waitFor('/health/ready', 200, 30_000);
    for (let i = 0; i < 3; i++) expect((await call(app.baseUrl, 'GET', '/api/v1/users?limit=1')).status).toBe(200);

    await proxy.setMode('blackhole');
    const during = await Promise.all(Array.from({ length: 3 }, () => call(app!.baseUrl, 'GET', '/api/v1/users?limit=1')));
    expect(during.map((seen) => seen.status)).toEqual([503, 503, 503]);
    await proxy.setMode('pass');

    const healed = performance.now();
    const recoveryMs = await until(() => statusOf(app!.baseUrl, '/api/v1/users?limit=1'), 200, 10_000);
    process.stdout.write(
      `[fault] defect=dead-connections recovery_ms=${recoveryMs} (after the black hole lifted; ${Math.round(performance.now() - healed)} ms)\n`,
    );
    // Every later request works: no dead connection is left in the pool.
    const after = await Promise.all(Array.from({ length: 6 }, () => call(app!.baseUrl, 'GET', '/api/v1/users?limit=1')));
    expect(after.map((seen) => seen.status)).toEqual([200, 200, 200, 200, 200, 200]);
  }, 60_000);

  it('becomes ready with DB_POOL_MAX=1 and serves reads and writes, never blaming the database', async () => {
    app = await startAppProcess({
      DATABASE_URL: database.url,
      DB_POOL_MAX: '1',
      DB_POOL_MIN: '1',
      DB_ACQUIRE_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'info',
    });
    await app.waitFor('/health/ready', 200, 15_000);
    expect((await call(app.baseUrl, 'POST', '/api/v1/users', { email: 'pool-of-one@faults.test', name: 'one' })).status).toBe(201);
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => call(app!.baseUrl, 'GET', '/api/v1/users?limit=1')));
    expect(concurrent.map((seen) => seen.status)).toEqual([200, 200, 200, 200, 200]);
    expect(app.output()).not.toMatch(/database not reachable/);
  }, 30_000);

  it('answers 503 database-unavailable with Retry-After on database routes until the migrations ran, never a 500', async () => {
    // Holding the migration lock keeps the service between "pool initialised" and "migrated".
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    try {
      // Every table of every migration goes (platform, example feature, generated features): an unmigrated schema.
      await holder.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      app = await startAppProcess({ DATABASE_URL: database.url, DB_POOL_MIN: '1', LOG_LEVEL: 'info' });
      await app.waitFor('/health/live', 200, 15_000);
      const seen = [];
      for (const end = Date.now() + 3000; Date.now() < end;) {
        seen.push(
          await call(app.baseUrl, 'GET', '/api/v1/users'),
          await call(app.baseUrl, 'POST', '/api/v1/users', { email: 'early@faults.test', name: 'early' }),
        );
        await sleep(100);
      }
      expect(await statusOf(app.baseUrl, '/health/ready')).toBe(503);
      const kinds = [...new Set(seen.map((s) => `${s.status} ${String(s.body?.['type'])} retry-after=${s.retryAfter !== null}`))];
      expect(kinds).toEqual([expect.stringMatching(/^503 .*database-unavailable retry-after=true$/)]);
    } finally {
      await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await holder.end();
    }
    await app.waitFor('/health/ready', 200, 15_000);
    expect((await call(app.baseUrl, 'GET', '/api/v1/users')).status).toBe(200);
    expect(app.output()).not.toMatch(/relation "users" does not exist/);
  }, 40_000);
});
