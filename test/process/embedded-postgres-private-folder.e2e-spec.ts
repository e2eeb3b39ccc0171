import { waitUntil } from '../utils/wait-until';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createEmbeddedPostgres, embeddedPostgresUrl } from '../../src/platform/database/embedded-postgres';
import { freePort } from '../utils/app-process';

const ROOT = join(__dirname, '..', '..');
const asRoot = process.getuid?.() === 0;

/** Polls `url` until it answers 200; rejects after `timeoutMs` or when the child exits. */
function waitFor200(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<number> {
  return waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}:\n${output()}`);
      const status = await fetch(url, { signal: AbortSignal.timeout(2000) })
        .then(async (res) => (await res.arrayBuffer(), res.status))
        .catch(() => 0);
      return status === 200;
    },
    { timeoutMs, intervalMs: 100, what: () => `${url} answering 200:\n${output()}` },
  );
}

/*
 * Issue 15, defect 4: as root in a folder only root may enter (a clone under /root, a `mktemp -d` folder), the
 * embedded PostgreSQL's `postgres` user could reach neither the binaries nor the data: initdb EACCES. As another
 * user the same folder is simply its own, and the start must work too.
 */
describe(`embedded PostgreSQL in a 0700 folder (running as ${asRoot ? 'root' : 'a non-root user'})`, () => {
  let privateDir: string;
  beforeAll(() => {
    privateDir = mkdtempSync(join(tmpdir(), 'ballast-private-'));
    expect(statSync(privateDir).mode & 0o777).toBe(0o700);
  });
  afterAll(() => {
    rmSync(privateDir, { recursive: true, force: true });
  });

  it('createEmbeddedPostgres initialises, starts and answers a query with its data folder inside it', async () => {
    const port = await freePort();
    const pg = await createEmbeddedPostgres({ databaseDir: join(privateDir, 'factory-data'), port, persistent: false });
    try {
      await pg.initialise();
      await pg.start();
      const client = new Client({ connectionString: embeddedPostgresUrl(port) });
      await client.connect();
      try {
        expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      } finally {
        await client.end();
      }
    } finally {
      await pg.stop();
      rmSync(pg.databaseDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a copy of the built project in it (node dist/main.js, DATABASE_URL unset) becomes ready, serves the API and exits 0 on SIGTERM', async () => {
    // The project as a clone there would be: dist/ and a hard-linked node_modules (a copy when links fail).
    const app = join(privateDir, 'app');
    mkdirSync(app);
    cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
    try {
      execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(app, 'node_modules')]);
    } catch {
      execFileSync('cp', ['-a', join(ROOT, 'node_modules'), join(app, 'node_modules')]);
    }
    const port = await freePort();
    const child = spawn(process.execPath, [join(app, 'dist', 'main.js')], {
      cwd: app,
      // AUTH_DISABLED as in every suite that does not test identity (test/utils/auth-defaults.ts).
      env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', AUTH_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
    let dataDir: string | undefined;
    try {
      const ms = await waitFor200(`http://127.0.0.1:${port}/health/ready`, child, () => out, 90_000);
      process.stdout.write(`[embedded-private] ready after ${ms} ms from a 0700 folder\n`);
      const users = await fetch(`http://127.0.0.1:${port}/api/v1/users`);
      expect(users.status).toBe(200);
      dataDir = /data in ([^,)]+)/.exec(out)?.[1];
      expect(out).not.toMatch(/EACCES/);
    } finally {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      if (dataDir && !dataDir.startsWith(privateDir)) rmSync(dataDir, { recursive: true, force: true });
      expect({ code, out: code === 0 ? '' : out }).toEqual({ code: 0, out: '' });
    }
    expect(out).toMatch(/embedded PostgreSQL stopped/);
    // As root the data stands in a folder the `postgres` user can reach, and the log says why.
    if (asRoot) expect(out).toMatch(/standing in for .*which the postgres user cannot reach/);
    else expect(dataDir).toBe(join(app, '.data', 'postgres'));
  }, 150_000);
});
