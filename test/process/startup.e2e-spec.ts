import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEATURES } from '../../src/features';
import { collectFeatures } from '../../src/platform/composition';
import { MAIN_JS, startAppProcess } from '../utils/app-process';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';

const ROOT = join(__dirname, '..', '..');
/** Every migration the features of src/features.ts register: a generated feature adds its own. */
const MIGRATIONS = collectFeatures(FEATURES)
  .migrations.map((migration) => migration.name)
  .sort((a, b) => Number(/\d{13}$/.exec(a)?.[0]) - Number(/\d{13}$/.exec(b)?.[0]));
const APPLIED_ALL = new RegExp(`applied ${MIGRATIONS.length} migration\\(s\\): ${MIGRATIONS.join(', ')}`);

describe('node dist/main.js (real process)', () => {
  it('exits 1 listing every invalid variable with its accepted range', async () => {
    const app = await startAppProcess({
      DB_POOL_MAX: 'lots',
      SHUTDOWN_DRAIN_TIMEOUT_MS: '-5',
      DATABASE_URL: 'postgres://u:hunter2@127.0.0.1:1/x',
    });
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
        expect(MIGRATIONS).toContain('CreateUsers1764000000000');
        await app.waitForOutput(APPLIED_ALL);
      } finally {
        expect(await app.stop('SIGTERM')).toBe(0);
      }
    });
  });

  it('exits 1 naming a migration file on disk that no feature registered, and the fix', async () => {
    // A copy of the build with one stray migration file: the real dist/ is shared by the other test files.
    const copy = mkdtempSync(join(tmpdir(), 'ballast-stray-migration-'));
    try {
      cpSync(join(ROOT, 'dist'), join(copy, 'dist'), { recursive: true });
      cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
      symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
      const stray = join(copy, 'dist', 'users', 'migrations', '1799999999999-add-nickname.js');
      writeFileSync(stray, 'exports.AddNickname1799999999999 = class AddNickname1799999999999 { async up() {} async down() {} };\n');
      const app = await startAppProcess({ DATABASE_URL: 'postgres://u:p@127.0.0.1:1/x' }, { mainJs: join(copy, 'dist', 'main.js') });
      expect(await app.exited).toBe(1);
      expect(app.output()).toContain('Migration file(s) on disk but not registered');
      expect(app.output()).toMatch(/users\/migrations\/1799999999999-add-nickname\.js/);
      expect(app.output()).toContain('<feature>.migrations.ts');
      expect(app.output()).not.toMatch(/listening on/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('starts an embedded PostgreSQL when DATABASE_URL is unset, says so, keeps its port across restarts for `npm run db:url` and the TypeORM CLI, and stops it on exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ballast-embedded-'));
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as the `postgres` user and must reach the folder
    const env = { EMBEDDED_POSTGRES_DIR: join(dir, 'pg') };
    const ports: string[] = [];
    try {
      for (const round of [1, 2]) {
        const app = await startAppProcess(env);
        try {
          const ms = await app.waitFor('/api/v1/users', 200, 60_000);
          if (round === 1) process.stdout.write(`[startup] embedded PostgreSQL (fresh data folder): API answering 200 after ${ms} ms\n`);
          await app.waitForOutput(/running on an EMBEDDED PostgreSQL/);
          const port = /EMBEDDED PostgreSQL at 127\.0\.0\.1:(\d+)/.exec(app.output())![1];
          ports.push(port);
          expect(readFileSync(join(dir, 'pg.port'), 'utf8').trim()).toBe(port);
          const cliEnv = { PATH: process.env['PATH'] ?? '', ...env };
          // `npm run db:url` (dist/db-url.js): the full URL, credentials included.
          const url = execFileSync(process.execPath, [join(ROOT, 'dist', 'db-url.js')], { env: cliEnv, encoding: 'utf8' }).trim();
          expect(url).toBe(`postgres://postgres:postgres@127.0.0.1:${port}/postgres`);
          if (round === 2) {
            // `npm run migration:show` (the TypeORM CLI on dist/data-source.js) finds the running embedded server.
            const shown = execFileSync(
              process.execPath,
              [join(ROOT, 'node_modules', 'typeorm', 'cli.js'), 'migration:show', '-d', join(ROOT, 'dist', 'data-source.js')],
              { env: cliEnv, encoding: 'utf8' },
            );
            for (const name of MIGRATIONS) expect(shown).toMatch(new RegExp(`\\[X\\].*${name}`));
          }
        } finally {
          const code = await app.stop('SIGTERM');
          if (code !== 0) process.stdout.write(app.output());
          expect(code).toBe(0);
          expect(app.output()).toMatch(/embedded PostgreSQL stopped/);
        }
      }
      expect(ports[1]).toBe(ports[0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);

  it('makes `npm run db:url` say how to start the embedded server when none has run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ballast-no-embedded-'));
    try {
      expect(existsSync(MAIN_JS)).toBe(true);
      const result = (() => {
        try {
          execFileSync(process.execPath, [join(ROOT, 'dist', 'db-url.js')], {
            env: { PATH: process.env['PATH'] ?? '', EMBEDDED_POSTGRES_DIR: join(dir, 'pg') },
            encoding: 'utf8',
            stdio: 'pipe',
          });
          return 'exit 0';
        } catch (error) {
          return `exit ${(error as { status: number }).status}: ${(error as { stderr: string }).stderr}`;
        }
      })();
      expect(result).toMatch(
        /^exit 1: DATABASE_URL is unset and no embedded PostgreSQL has run in .*start one with `npm start`, or set DATABASE_URL/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
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
      const applied = apps.filter((app) => APPLIED_ALL.test(app.output()));
      expect(applied).toHaveLength(1);
      for (const app of apps) expect(app.output()).not.toMatch(/database not reachable|already exists/);
    } finally {
      const codes = await Promise.all(apps.map((app) => app.stop('SIGTERM')));
      expect(codes).toEqual([0, 0, 0]);
    }
  });
});
