import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { embeddedDataDir } from '../../src/platform/database/embedded-postgres';
import { freePort, startAppProcess } from '../utils/app-process';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';

/** The JSON log lines of a process's output. */
function logLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * A start that fails says why, in the service's log format, in every phase: config (a plain list on stderr, before
 * any logger exists), the embedded database, connecting, migrating, listening. Never `undefined`, never Nest's
 * "[ExceptionHandler]". Connecting and migrating are retried (live 200, ready 503) rather than fatal.
 */
describe('a start that fails names its cause (real process)', () => {
  it('config: exits 1 naming the variable (stderr, no logger yet)', async () => {
    const app = await startAppProcess({ DB_POOL_MAX: 'lots' });
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(/DB_POOL_MAX: "lots" is not an integer/);
  });

  it('embedded database: exits 1 with a fatal log line carrying PostgreSQL own reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ballast-bad-embedded-'));
    chmodSync(dir, 0o755);
    const requested = join(dir, 'pg');
    const dataDir = embeddedDataDir(requested);
    try {
      // A data folder from a PostgreSQL version that does not exist: the server refuses it at start.
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      writeFileSync(join(dataDir, 'PG_VERSION'), '7\n');
      if (process.getuid?.() === 0) chmodSync(dataDir, 0o777);
      const app = await startAppProcess({ EMBEDDED_POSTGRES_DIR: requested });
      expect(await app.exited).toBe(1);
      const fatal = logLines(app.output()).find((line) => line['level'] === 'fatal');
      expect(fatal).toMatchObject({
        phase: 'application',
        msg: expect.stringMatching(/^start failed \(application\): the embedded PostgreSQL did not start in /),
      });
      expect(String(fatal?.['msg'])).toMatch(
        /did not start in [^:]+: the embedded PostgreSQL exited during its start .*; its last log lines: postgres: /,
      );
      expect(fatal?.['causes']).toHaveLength(2);
      expect(app.output()).not.toMatch(/ExceptionHandler|undefined/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  describe('with DATABASE_URL', () => {
    let db: TestDatabase;
    let blocker: Server | undefined;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(async () => {
      await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
      await db?.drop();
    });

    it('names the database host and database at start, never its password', async () => {
      const app = await startAppProcess({ DATABASE_URL: db.url });
      try {
        await app.waitFor('/health/ready', 200);
        const url = new URL(db.url);
        expect(app.output()).toContain(`database: PostgreSQL at ${url.hostname}:${url.port || '5432'}/${db.name} (DATABASE_URL)`);
        expect(app.output()).toMatch(/started in \d+ ms \(application \d+ ms, listen \d+ ms\)/);
        // Nest's module and route lines are debug lines now.
        expect(app.output()).not.toMatch(/InstanceLoader|RouterExplorer|RoutesResolver/);
      } finally {
        expect(await app.stop('SIGTERM')).toBe(0);
      }
    });

    it('connect: keeps live 200 / ready 503 and logs the reason with the host it tried', async () => {
      const port = await freePort();
      const app = await startAppProcess({ DATABASE_URL: `postgres://u:hunter2@127.0.0.1:${port}/nowhere` });
      try {
        await app.waitFor('/health/live', 200);
        await app.waitForOutput(/database not reachable \(attempt 1\): .*ECONNREFUSED/);
        expect(app.output()).toContain(`database: PostgreSQL at 127.0.0.1:${port}/nowhere (DATABASE_URL)`);
        expect((await fetch(`${app.baseUrl}/health/ready`)).status).toBe(503);
        expect(app.output()).not.toContain('hunter2');
      } finally {
        expect(await app.stop('SIGTERM')).toBe(0);
      }
    });

    it('migrations: keeps ready 503 and logs the failing step and the database error', async () => {
      const broken = await createTestDatabase();
      try {
        const client = new Client({ connectionString: broken.url });
        await client.connect();
        // A table in the way of the first migration.
        await client.query('CREATE TABLE users (nothing int)');
        await client.end();
        const app = await startAppProcess({ DATABASE_URL: broken.url });
        try {
          await app.waitForOutput(/database start-up failed \(could not run migrations\) \(attempt 1\): .*already exists/, 30_000);
          expect((await fetch(`${app.baseUrl}/health/ready`)).status).toBe(503);
        } finally {
          expect(await app.stop('SIGTERM')).toBe(0);
        }
      } finally {
        await broken.drop();
      }
    });

    it('listen: exits 1 with a fatal line naming the address in use', async () => {
      blocker = createServer();
      const port = await new Promise<number>((resolve) =>
        blocker!.listen(0, '127.0.0.1', () => resolve((blocker!.address() as { port: number }).port)),
      );
      const app = await startAppProcess({ DATABASE_URL: db.url, PORT: String(port) });
      expect(await app.exited).toBe(1);
      const fatal = logLines(app.output()).find((line) => line['level'] === 'fatal');
      expect(fatal).toMatchObject({ phase: 'listen', msg: expect.stringMatching(/^start failed \(listen\): .*EADDRINUSE/) });
      expect(app.output()).not.toMatch(/ExceptionHandler|undefined/);
    });
  });

  it('warns once per variable that looks like a Ballast one but is none, naming the likely one', async () => {
    const db = await createTestDatabase();
    const app = await startAppProcess({ DATABASE_URL: db.url, RATE_LIMT_BURST: '5', DB_POOL_MAXX: '3', LOGLEVEL: 'debug' });
    try {
      await app.waitFor('/health/ready', 200);
      const warnings = logLines(app.output()).filter((line) => line['context'] === 'Config' && line['level'] === 'warn');
      expect(warnings.map((line) => line['msg'])).toEqual([
        expect.stringMatching(/^DB_POOL_MAXX is set but is not a Ballast variable and is ignored: did you mean DB_POOL_MAX\?/),
        expect.stringMatching(/^LOGLEVEL is set .*did you mean LOG_LEVEL\?/),
        expect.stringMatching(/^RATE_LIMT_BURST is set .*did you mean RATE_LIMIT_BURST\?/),
      ]);
    } finally {
      expect(await app.stop('SIGTERM')).toBe(0);
      await db.drop();
    }
  });
});
