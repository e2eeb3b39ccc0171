import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAppProcess } from '../utils/app-process';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';

describe('node dist/main.js (real process)', () => {
  it('exits 1 listing every invalid variable with its accepted range', async () => {
    const app = await startAppProcess({ DB_POOL_MAX: 'lots', SHUTDOWN_DRAIN_TIMEOUT_MS: '-5', DATABASE_URL: 'postgres://u:hunter2@127.0.0.1:1/x' });
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(/DB_POOL_MAX: "lots" is not an integer; expected an integer from 1 to 1000/);
    expect(app.output()).toMatch(/SHUTDOWN_DRAIN_TIMEOUT_MS: -5 is out of range; expected an integer from 0 to 600000/);
    expect(app.output()).not.toContain('hunter2');
  });

  it('exits 1 naming DATABASE_URL when NODE_ENV=production has none', async () => {
    const app = await startAppProcess({ NODE_ENV: 'production' });
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(/DATABASE_URL: is required when NODE_ENV=production/);
  });

  describe('with DATABASE_URL', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('runs migrations at start, serves the API, and exits 0 on SIGTERM', async () => {
      const app = await startAppProcess({ DATABASE_URL: db.url, DB_POOL_MIN: '2' });
      try {
        await app.waitFor('/api/v1/users', 200);
        const created = await fetch(`${app.baseUrl}/api/v1/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'proc@example.com', name: 'Proc' }),
        });
        expect(created.status).toBe(201);
        await app.waitForOutput(/applied 2 migration\(s\): CreateUsers\d+, CreateIdempotencyKeys/);
      } finally {
        expect(await app.stop('SIGTERM')).toBe(0);
      }
    });
  });

  it('starts an embedded PostgreSQL when DATABASE_URL is unset, says so, and stops it on exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ballast-embedded-'));
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as the `postgres` user and must reach the folder
    const app = await startAppProcess({ EMBEDDED_POSTGRES_DIR: join(dir, 'pg') });
    try {
      const ms = await app.waitFor('/api/v1/users', 200, 60_000);
      process.stdout.write(`[startup] embedded PostgreSQL (fresh data folder): API answering 200 after ${ms} ms\n`);
      await app.waitForOutput(/running on an EMBEDDED PostgreSQL/);
    } finally {
      const code = await app.stop('SIGTERM');
      if (code !== 0) process.stdout.write(app.output());
      expect(code).toBe(0);
      expect(app.output()).toMatch(/embedded PostgreSQL stopped/);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('migrations across replicas', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('lets three processes starting at once on an empty database migrate once, without errors', async () => {
    const apps = await Promise.all([1, 2, 3].map(() => startAppProcess({ DATABASE_URL: db.url, DB_POOL_MIN: '1' })));
    try {
      await Promise.all(apps.map((app) => app.waitFor('/api/v1/users', 200)));
      // "database ready" follows the migrations (and their "applied" line) in each process's log.
      await Promise.all(apps.map((app) => app.waitForOutput(/database ready/)));
      const applied = apps.filter((app) => /applied 2 migration\(s\)/.test(app.output()));
      expect(applied).toHaveLength(1);
      for (const app of apps) expect(app.output()).not.toMatch(/database not reachable|already exists/);
    } finally {
      const codes = await Promise.all(apps.map((app) => app.stop('SIGTERM')));
      expect(codes).toEqual([0, 0, 0]);
    }
  });
});
