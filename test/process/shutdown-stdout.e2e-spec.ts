import { LOG_EXIT_FLUSH_TIMEOUT_MS } from '../../src/platform/observability/log-destination';
import { type AppProcess, startAppProcess } from '../utils/app-process';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';

const DRAIN_MS = 2000;
const CLOSE_MS = 2000;
// Every shutdown bound (drain, three resource phases and the application hooks) + the exit flush + a margin.
const EXIT_BOUND_MS = DRAIN_MS + 4 * CLOSE_MS + LOG_EXIT_FLUSH_TIMEOUT_MS + 3000;

function report(line: string): void {
  process.stdout.write(`[shutdown-stdout] ${line}\n`);
}

/** Sends `count` requests, `concurrency` at a time: each writes a request line to stdout. */
async function load(app: AppProcess, count: number, concurrency = 16): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) {
        const res = await fetch(`${app.baseUrl}/health/live?pad=${'x'.repeat(200)}`, { signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
      }
    }),
  );
}

/** Milliseconds from now until the process exits, and its exit code (SIGKILL, and a failing assertion, past `boundMs`). */
async function timeExit(app: AppProcess, boundMs: number): Promise<{ ms: number; code: number | string }> {
  const started = Date.now();
  const timer = setTimeout(() => app.child.kill('SIGKILL'), boundMs);
  try {
    const code = await app.exited;
    return { ms: Date.now() - started, code };
  } finally {
    clearTimeout(timer);
  }
}

/*
 * Issue 15, defect 5: `npm start | tee run.log`, Ctrl+C — the process sat idle for good, deaf to further signals:
 * pino's synchronous exit flush retried a pipe that took no more bytes forever. Here stdout is a real pipe to the
 * test, whose end is destroyed (reader gone) or paused (reader alive, not reading: the pipe fills).
 */
describe('shutdown of node dist/main.js whatever state its stdout pipe is in', () => {
  let db: TestDatabase;
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop('SIGKILL');
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function start(env: Record<string, string> = {}): Promise<AppProcess> {
    const app = await startAppProcess({
      DATABASE_URL: db.url,
      SHUTDOWN_DELAY_MS: '0',
      SHUTDOWN_DRAIN_TIMEOUT_MS: String(DRAIN_MS),
      SHUTDOWN_CLOSE_TIMEOUT_MS: String(CLOSE_MS),
      ...env,
    });
    apps.push(app);
    await app.waitFor('/health/ready', 200);
    return app;
  }

  it('exits 0 within its bounds on SIGINT right after the reader of stdout went away (nothing written since)', async () => {
    // No HTTP connection stays open: the shutdown then takes milliseconds, less than the batching interval, so
    // the first write to find the pipe broken is the synchronous one at exit.
    const app = await startAppProcess({
      DATABASE_URL: db.url,
      SHUTDOWN_DELAY_MS: '0',
      SHUTDOWN_DRAIN_TIMEOUT_MS: String(DRAIN_MS),
      SHUTDOWN_CLOSE_TIMEOUT_MS: String(CLOSE_MS),
    });
    apps.push(app);
    await app.waitForOutput(/listening on http/, 30_000);
    app.child.stdout?.destroy(); // the reader goes (tee killed by the same Ctrl+C)
    app.child.kill('SIGINT');
    const { ms, code } = await timeExit(app, EXIT_BOUND_MS);
    report(`reader gone at the signal: exit ${code} ${ms} ms after SIGINT (bound ${EXIT_BOUND_MS} ms)`);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(EXIT_BOUND_MS);
  }, 60_000);

  it('exits 0 within its bounds on SIGINT after the reader of stdout went away while it was writing', async () => {
    const app = await start();
    const writing = load(app, 600);
    await new Promise((r) => setTimeout(r, 200));
    app.child.stdout?.destroy(); // the reader goes, mid-traffic
    await writing;
    app.child.kill('SIGINT');
    const { ms, code } = await timeExit(app, EXIT_BOUND_MS);
    report(`reader gone mid-traffic: exit ${code} ${ms} ms after SIGINT (bound ${EXIT_BOUND_MS} ms)`);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(EXIT_BOUND_MS);
  }, 60_000);

  it('exits at once with 128 + 2 on a second SIGINT when the exit of the first found stdout gone', async () => {
    const app = await startAppProcess({
      DATABASE_URL: db.url,
      SHUTDOWN_DELAY_MS: '3000',
      SHUTDOWN_DRAIN_TIMEOUT_MS: String(DRAIN_MS),
      SHUTDOWN_CLOSE_TIMEOUT_MS: String(CLOSE_MS),
    });
    apps.push(app);
    await app.waitForOutput(/listening on http/, 30_000);
    app.child.stdout?.destroy();
    app.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 500));
    app.child.kill('SIGINT');
    const { ms, code } = await timeExit(app, 3000);
    report(`second SIGINT, reader gone: exit ${code} ${ms} ms after the second signal`);
    expect(code).toBe(128 + 2);
    expect(ms).toBeLessThan(3000);
  }, 60_000);

  it('exits 0 within its bounds on SIGTERM while stdout is a full pipe (reader alive, not reading)', async () => {
    const app = await start();
    app.child.stdout?.pause();
    await load(app, 1500); // ~400 KiB of lines: more than the pipe and the reader's buffer hold
    app.child.kill('SIGTERM');
    const { ms, code } = await timeExit(app, EXIT_BOUND_MS);
    report(`full pipe: exit ${code} ${ms} ms after SIGTERM (bound ${EXIT_BOUND_MS} ms)`);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(EXIT_BOUND_MS);
  }, 60_000);

  it('exits at once with 128 + 15 on a second signal during a long shutdown, stdout a full pipe', async () => {
    const app = await start({ SHUTDOWN_DELAY_MS: '20000' });
    app.child.stdout?.pause();
    await load(app, 1500);
    app.child.kill('SIGINT');
    // The first signal's shutdown now serves unready for 20 s; the second must not wait for it, nor for stdout.
    await new Promise((r) => setTimeout(r, 500));
    expect(app.child.exitCode).toBeNull();
    app.child.kill('SIGTERM');
    const { ms, code } = await timeExit(app, 3000);
    report(`second signal, full pipe: exit ${code} ${ms} ms after the second signal`);
    expect(code).toBe(128 + 15);
    expect(ms).toBeLessThan(3000);
  }, 60_000);
});
