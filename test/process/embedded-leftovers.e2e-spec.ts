import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedDataDir } from '../../src/platform/database/embedded-postgres';
import { processExists } from '../../src/platform/database/embedded-postgres-leftover';
import { type AppProcess, startAppProcess } from '../utils/app-process';

/**
 * `npm start` after an unclean stop of the one before: the embedded PostgreSQL outlives a Node process killed with
 * SIGKILL and must not brick the next start; SIGHUP (a closed terminal) is a graceful shutdown; a stale
 * postmaster.pid is removed. Each start really starts PostgreSQL on the test's own data folder.
 */
describe('the embedded PostgreSQL after an unclean stop (real processes)', () => {
  let dir: string;
  let env: Record<string, string>;
  let dataDir: string;
  const apps: AppProcess[] = [];

  const start = async () => {
    const app = await startAppProcess(env);
    apps.push(app);
    await app.waitFor('/health/ready', 200, 90_000);
    return app;
  };
  const postmasterPid = () => Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ballast-leftover-'));
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as the `postgres` user and must reach the folder
    env = { EMBEDDED_POSTGRES_DIR: join(dir, 'pg'), SHUTDOWN_DELAY_MS: '0' };
    dataDir = embeddedDataDir(env['EMBEDDED_POSTGRES_DIR']);
  });
  afterAll(async () => {
    for (const app of apps) await app.stop('SIGKILL');
    if (existsSync(join(dataDir, 'postmaster.pid')) && processExists(postmasterPid())) process.kill(postmasterPid(), 'SIGQUIT');
    rmSync(dir, { recursive: true, force: true });
    if (dataDir !== env['EMBEDDED_POSTGRES_DIR']) rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops the server a SIGKILLed run left behind, says so, and starts on the same data', async () => {
    const first = await start();
    const leftover = postmasterPid();
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');
    expect(processExists(leftover)).toBe(true); // what made every later start fail with "undefined"

    const second = await start();
    await second.waitForOutput(/left running by an earlier run/);
    expect(second.output()).toMatch(
      new RegExp(
        `an embedded PostgreSQL left running by an earlier run \\(pid ${leftover}, its Node process gone\\) held .*: stopped it in \\d+ ms`,
      ),
    );
    expect(processExists(leftover)).toBe(false);
    expect(postmasterPid()).not.toBe(leftover);

    // SIGHUP, what closing a terminal sends: the graceful shutdown, which stops the server too.
    const server = postmasterPid();
    expect(await second.stop('SIGHUP')).toBe(0);
    expect(second.output()).toMatch(/SIGHUP/);
    expect(second.output()).toMatch(/embedded PostgreSQL stopped/);
    expect(processExists(server)).toBe(false);
  }, 240_000);

  it('removes a stale postmaster.pid and starts', async () => {
    // A pid file naming a process that is not PostgreSQL (this test's own jest worker): PostgreSQL itself would
    // refuse to start ("lock file already exists").
    const pidFile = join(dataDir, 'postmaster.pid');
    writeFileSync(pidFile, `${process.pid}\n${dataDir}\n0\n5432\n`);
    const app = await start();
    expect(app.output()).toMatch(new RegExp(`removed a stale .*postmaster\\.pid \\(pid ${process.pid} is no longer a PostgreSQL\\)`));
    expect(await app.stop('SIGTERM')).toBe(0);
  }, 120_000);

  it('removes the staged binaries a SIGKILLed run left in the temp folder (as root)', async () => {
    if (process.getuid?.() !== 0) {
      // Only root stages binaries (PostgreSQL runs as the `postgres` user then): nothing can be left behind.
      expect(readdirSync(tmpdir()).filter((name) => name.startsWith(`ballast-embedded-pg-bin-${process.pid}-`))).toEqual([]);
      return;
    }
    const killed = await start();
    const stagedOf = (pid: number) => readdirSync(tmpdir()).filter((name) => name.startsWith(`ballast-embedded-pg-bin-${pid}-`));
    const pid = killed.child.pid!;
    expect(stagedOf(pid)).toHaveLength(1);
    await killed.stop('SIGKILL');
    expect(stagedOf(pid)).toHaveLength(1);
    const next = await start();
    expect(stagedOf(pid)).toEqual([]);
    expect(await next.stop('SIGTERM')).toBe(0);
  }, 240_000);
});
