import { waitUntil } from '../utils/wait-until';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AppProcess, startAppProcess } from '../utils/app-process';
import { startKeepAliveLoad } from '../utils/keep-alive-load';
import { createRestartablePostgres, type RestartablePostgres } from '../utils/restartable-postgres';

function report(line: string): void {
  process.stdout.write(`[database-outage] ${line}\n`);
}

async function getJson(
  url: string,
): Promise<{ status: number; type: string | null; retryAfter: string | null; body: Record<string, any> }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as Record<string, any>,
  };
}

/** Polls `url` until it answers `status`; returns the milliseconds it took. */
function until(url: string, status: number, timeoutMs: number): Promise<number> {
  let last: number | undefined;
  return waitUntil(
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
      await res?.arrayBuffer();
      return (last = res?.status) === status;
    },
    { timeoutMs, what: () => `${url} answering ${status} (last: ${last})` },
  );
}

// The database is an embedded PostgreSQL of this file's own on its own port: stopping the machine's shared
// server would break every other test.
describe('database outages (real process, its own PostgreSQL stopped and started)', () => {
  let pg: RestartablePostgres;
  let app: AppProcess | undefined;

  beforeAll(async () => {
    pg = await createRestartablePostgres();
  }, 120_000);
  afterEach(async () => {
    await app?.stop('SIGKILL');
    app = undefined;
  });
  afterAll(async () => {
    await pg?.destroy();
  }, 60_000);

  const env = () => ({ DATABASE_URL: pg.url, DB_POOL_MIN: '2', RATE_LIMIT_PER_SECOND: '1000000', RATE_LIMIT_BURST: '1000000' });

  it('starts with the database down without crash-looping: live 200, ready 503, then ready once the database appears', async () => {
    app = await startAppProcess(env());
    await app.waitFor('/health/live', 200);
    const ready = await getJson(`${app.baseUrl}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.body.error.database).toEqual(expect.objectContaining({ status: 'down', state: 'connecting' }));

    await sleep(1500);
    expect(app.child.exitCode).toBeNull();
    expect((await getJson(`${app.baseUrl}/health/live`)).status).toBe(200);
    expect((await getJson(`${app.baseUrl}/health/ready`)).status).toBe(503);

    await pg.start();
    const readyAfterMs = await until(`${app.baseUrl}/health/ready`, 200, 20_000);
    expect((await getJson(`${app.baseUrl}/api/v1/users`)).status).toBe(200);
    await app.waitForOutput(/database not reachable \(attempt \d+\)/);
    report(`database down at start: ready 200 ${readyAfterMs} ms after PostgreSQL came up (retry backoff capped at 5 s)`);
    expect(await app.stop('SIGTERM')).toBe(0);
  }, 60_000);

  it('survives the database stopping mid-traffic: ready 503 within seconds, live 200, API 503 problem+json, recovery without a restart', async () => {
    if (!pg.running) await pg.start();
    app = await startAppProcess(env());
    await app.waitFor('/health/ready', 200, 30_000);
    const load = startKeepAliveLoad(`${app.baseUrl}/api/v1/users?limit=1`, 4);
    await sleep(500);

    const stopped = performance.now();
    await pg.stop();
    await until(`${app.baseUrl}/health/ready`, 503, 10_000);
    const unreadyMs = Math.round(performance.now() - stopped);
    expect((await getJson(`${app.baseUrl}/health/live`)).status).toBe(200);
    const api = await getJson(`${app.baseUrl}/api/v1/users`);
    expect(api.status).toBe(503);
    expect(api.type).toMatch(/^application\/problem\+json/);
    expect(api.retryAfter).toMatch(/^\d+$/);
    expect(api.body.type).toMatch(/^urn:ballast:problem:database-/);
    expect(JSON.stringify(api.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/i);

    await sleep(1000);
    const restarted = performance.now();
    await pg.start();
    await until(`${app.baseUrl}/health/ready`, 200, 20_000);
    const readyMs = Math.round(performance.now() - restarted);
    await sleep(500);
    const result = await load.stop();
    expect((await getJson(`${app.baseUrl}/api/v1/users`)).status).toBe(200);

    // Every request got an answer: 200 while the database was there, 503 while it was not; never a 500.
    expect(result.errors).toEqual({});
    expect(Object.keys(result.byStatus).sort()).toEqual(['200', '503']);
    expect(app.child.exitCode).toBeNull();
    report(
      `database stopped mid-traffic: ready 503 within ${unreadyMs} ms of the stop, ready again ${readyMs} ms after restart; ` +
        `load ${result.requests} requests: ${JSON.stringify(result.byStatus)}, socket errors 0`,
    );
    expect(await app.stop('SIGTERM')).toBe(0);
  }, 90_000);
});
