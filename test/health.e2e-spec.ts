import { waitUntil } from './utils/wait-until';
import request from 'supertest';
import { Client } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatabasePing } from '../src/platform/database/database-ping.service';
import { READINESS_APPLICATION_NAME } from '../src/platform/database/database.constants';
import { LifecycleState } from '../src/platform/lifecycle/lifecycle-state.service';
import { createTestApp, type TestApp } from './utils/create-test-app';

describe('GET /health/live and /health/ready (in-process app, real PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      DB_POOL_MAX: '2',
      DB_POOL_MIN: '1',
      HEALTH_CACHE_TTL_MS: '1000',
      RATE_LIMIT_PER_SECOND: '1000000',
      RATE_LIMIT_BURST: '1000000',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('live answers 200 in the terminus format with the version, without touching the database', async () => {
    const res = await request(t.server).get('/health/live').expect(200);
    expect(res.body).toEqual({
      status: 'ok',
      info: { process: { status: 'up', uptimeSeconds: expect.any(Number) } },
      error: {},
      details: { process: { status: 'up', uptimeSeconds: expect.any(Number) } },
      version: t.config.app.version,
    });
    expect(res.headers['cache-control']).toMatch(/no-store/);
  });

  it('ready answers 200 with lifecycle and database up, and the version', async () => {
    const res = await request(t.server).get('/health/ready').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      info: { lifecycle: { status: 'up', state: 'serving' }, database: { status: 'up', responseTime: expect.any(Number) } },
      error: {},
      version: t.config.app.version,
    });
  });

  it('concurrent readiness probes share one SELECT 1, and its result is reused within HEALTH_CACHE_TTL_MS', async () => {
    await sleep(1100); // let the previous test's cached result expire
    const ping = jest.spyOn(t.app.get(DatabasePing), 'ping');
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => request(t.server).get('/health/ready')));
      expect(answers.map((res) => res.status)).toEqual(Array(20).fill(200));
      expect(ping).toHaveBeenCalledTimes(1);
      const again = await request(t.server).get('/health/ready').expect(200);
      expect(again.body.details.database.cachedResponse).toBe(true);
      expect(ping).toHaveBeenCalledTimes(1);
    } finally {
      ping.mockRestore();
    }
  });

  it('stays ready while every pooled connection is busy: SELECT 1 runs on its own connection, not the pool', async () => {
    const locker = new Client({ connectionString: t.database.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const blocked = [request(t.server).get('/api/v1/users'), request(t.server).get('/api/v1/users')].map((r) =>
        r.then((res) => res.status),
      );
      await waitFor(
        async () =>
          (
            await t.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ballast' AND wait_event_type = 'Lock'`,
            )
          ).rows[0]?.n === 2,
      );
      await sleep(1100);
      const ready = await request(t.server).get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.details.database.status).toBe('up');
      await locker.query('COMMIT');
      expect(await Promise.all(blocked)).toEqual([200, 200]);
    } finally {
      await locker.end();
    }
  });

  it('replaces its connection after the database killed it, and is ready again without a restart', async () => {
    await sleep(1100);
    await request(t.server).get('/health/ready').expect(200);
    const readinessPid = async () =>
      (
        await t.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [
          READINESS_APPLICATION_NAME,
        ])
      ).rows[0]?.pid;
    const before = await readinessPid();
    expect(before).toBeDefined();
    await t.query('SELECT pg_terminate_backend($1)', [before]);
    await sleep(1100);
    await waitFor(async () => (await request(t.server).get('/health/ready')).status === 200);
    const after = await readinessPid();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  });

  it('answers 503 from the first moment of shutdown while live stays 200', async () => {
    t.app.get(LifecycleState).beginShutdown();
    const ready = await request(t.server).get('/health/ready').expect(503);
    expect(ready.headers['content-type']).toMatch(/^application\/json/);
    expect(ready.body).toEqual({
      status: 'error',
      info: {},
      error: { lifecycle: { status: 'down', state: 'shutting-down' } },
      details: { lifecycle: { status: 'down', state: 'shutting-down' } },
      version: t.config.app.version,
    });
    await request(t.server).get('/health/live').expect(200);
  });
});

describe('GET /health/ready with a SELECT 1 slower than HEALTH_DB_TIMEOUT_MS', () => {
  let t: TestApp;
  beforeAll(async () => {
    // 1 ms cannot fit a connection set-up and a round trip: every check times out.
    t = await createTestApp({ HEALTH_DB_TIMEOUT_MS: '1', HEALTH_CACHE_TTL_MS: '0' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 503 with the timeout named, while the API still serves', async () => {
    const ready = await request(t.server).get('/health/ready').expect(503);
    expect(ready.body.error.database).toEqual(expect.objectContaining({ status: 'down', message: 'timeout of 1ms exceeded' }));
    expect(ready.body.info.lifecycle.status).toBe('up');
    await request(t.server).get('/api/v1/users').expect(200);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  await waitUntil(condition, { timeoutMs });
}
