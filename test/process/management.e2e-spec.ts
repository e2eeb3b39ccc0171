import { type AppProcess, freePort, startAppProcess } from '../utils/app-process';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';

const TOKEN = 'process-test-token-0123456789';

/** A V8 heap snapshot (`.heapsnapshot`), as Chrome DevTools reads it. */
interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[] }; node_count: number };
  nodes: number[];
  strings: string[];
}

/** A database URL that carries a password (the test server's own, or one it ignores under trust authentication). */
function withPassword(url: string): { url: string; password: string } {
  const parsed = new URL(url);
  if (!parsed.password) parsed.password = 'pw-that-must-never-show-4711';
  return { url: parsed.toString(), password: decodeURIComponent(parsed.password) };
}

describe('management listener of node dist/main.js (real process, real PostgreSQL)', () => {
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

  async function start(env: Record<string, string>): Promise<{ app: AppProcess; management: string }> {
    const port = await freePort();
    const app = await startAppProcess({ DATABASE_URL: db.url, MANAGEMENT_PORT: String(port), MANAGEMENT_HOST: '127.0.0.1', ...env });
    apps.push(app);
    const management = `http://127.0.0.1:${port}`;
    await app.waitForOutput('management listening', 30_000);
    for (;;) {
      const res = await fetch(`${management}/health/ready`);
      await res.arrayBuffer();
      if (res.status === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return { app, management };
  }

  const admin = (init: RequestInit = {}, token = TOKEN): RequestInit => ({
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
  });

  it('serves /metrics, /health/* and /info on the management port only; the main port answers 404 for all of them', async () => {
    const { url, password } = withPassword(db.url);
    const { app, management } = await start({ DATABASE_URL: url, MANAGEMENT_TOKEN: TOKEN });
    for (const path of ['/metrics', '/health/live', '/health/ready', '/info', '/admin/log-level']) {
      const main = await fetch(app.baseUrl + path, admin());
      expect({ path, status: main.status, type: main.headers.get('content-type') }).toEqual({
        path,
        status: 404,
        type: expect.stringContaining('application/problem+json') as unknown,
      });
    }
    const metrics = await fetch(`${management}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^log_level 30$/m);
    expect((await fetch(`${management}/health/live`)).status).toBe(200);
    const info = await fetch(`${management}/info`);
    const text = await info.text();
    expect(info.status).toBe(200);
    expect(text).not.toContain(password);
    expect(text).not.toContain(encodeURIComponent(password));
    expect(text).not.toContain(TOKEN);
    const body = JSON.parse(text) as {
      version: string;
      commit: string;
      builtAt: string;
      node: string;
      features: string[];
      migrations: { applied: Array<{ name: string }> };
      configuration: { database: { url: string }; management: { token: string } };
    };
    expect(body).toMatchObject({ version: expect.any(String) as unknown, node: process.version, features: ['users'] });
    expect(body.commit).toMatch(/^([0-9a-f]{40}|unknown)$/);
    expect(body.migrations.applied.map((m) => m.name)).toContain('CreateUsers1764000000000');
    expect(body.configuration.database.url).toContain(':[masked]@');
    expect(body.configuration.management.token).toBe('[masked]');
  });

  it('raises the log level at once and reverts it after the TTL: a debug line appears, then stops', async () => {
    const { app, management } = await start({ MANAGEMENT_TOKEN: TOKEN, LOG_LEVEL: 'info' });
    const debugLines = () =>
      app
        .output()
        .split('\n')
        .filter((line) => line.includes('"level":"debug"')).length;
    await fetch(`${management}/metrics`).then((r) => r.text());
    expect(debugLines()).toBe(0);

    const put = await fetch(
      `${management}/admin/log-level`,
      admin({ method: 'PUT', body: JSON.stringify({ level: 'debug', ttlSeconds: 2 }) }),
    );
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ level: 'debug', baseLevel: 'info', revertsAt: expect.any(String) as unknown });
    expect(await (await fetch(`${management}/metrics`)).text()).toMatch(/^log_level 20$/m);
    await app.waitForOutput(/"level":"debug".*GET \/metrics 200/);
    await app.waitForOutput(/audit: log level changed from info to debug for 2 s/);

    await app.waitForOutput(/audit: log level reverted from debug to info/, 10_000);
    const afterRevert = debugLines();
    await fetch(`${management}/metrics`).then((r) => r.text());
    await fetch(`${management}/health/live`).then((r) => r.text());
    // Lines are written in batches (at the latest 200 ms later): wait for a line written after these requests.
    await fetch(`${management}/admin/log-level`, admin({ method: 'PUT', body: JSON.stringify({ level: 'info' }) }));
    await app.waitForOutput(/audit: log level changed from info to info/);
    expect(debugLines()).toBe(afterRevert);
    expect(await (await fetch(`${management}/admin/log-level`, admin())).json()).toEqual({
      level: 'info',
      baseLevel: 'info',
      revertsAt: null,
    });
  });

  it('refuses bad log-level requests with 400 and a TTL beyond the bound', async () => {
    const { management } = await start({ MANAGEMENT_TOKEN: TOKEN });
    for (const body of [
      { level: 'loud' },
      { level: 'debug', ttlSeconds: 0 },
      { level: 'debug', ttlSeconds: 86_400 },
      { level: 'debug', ttlSeconds: '60' },
    ]) {
      const res = await fetch(`${management}/admin/log-level`, admin({ method: 'PUT', body: JSON.stringify(body) }));
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    const malformed = await fetch(`${management}/admin/log-level`, admin({ method: 'PUT', body: '{"level":' }));
    expect(malformed.status).toBe(400);
  });

  it('answers 404 for /admin/* when no token is configured, and 401 for a missing or wrong token when one is', async () => {
    const none = await start({});
    for (const path of ['/admin/log-level', '/admin/heap-snapshot', '/admin/unknown'])
      expect((await fetch(none.management + path, admin({}, 'anything-at-all-0123'))).status).toBe(404);
    const protectedApp = await start({ MANAGEMENT_TOKEN: TOKEN });
    const missing = await fetch(`${protectedApp.management}/admin/log-level`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    expect((await fetch(`${protectedApp.management}/admin/log-level`, admin({}, `${TOKEN}x`))).status).toBe(401);
    expect((await fetch(`${protectedApp.management}/admin/log-level`, admin({}, TOKEN.slice(0, -1)))).status).toBe(401);
    expect((await fetch(`${protectedApp.management}/admin/log-level`, admin())).status).toBe(200);
    await protectedApp.app.waitForOutput(/management authentication failed \(wrong token\)/);
  });

  it('streams a heap snapshot of the process that parses as a .heapsnapshot, and counts it', async () => {
    const { app, management } = await start({ MANAGEMENT_TOKEN: TOKEN });
    const res = await fetch(`${management}/admin/heap-snapshot`, admin({ method: 'POST' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/\.heapsnapshot"$/);
    const body = JSON.parse(await res.text()) as HeapSnapshot;
    expect(body.snapshot.meta.node_fields).toContain('self_size');
    expect(body.snapshot.node_count).toBeGreaterThan(1000);
    expect(body.nodes.length).toBe(body.snapshot.node_count * body.snapshot.meta.node_fields.length);
    expect(await (await fetch(`${management}/metrics`)).text()).toMatch(/^diagnostics_taken_total\{kind="heap_snapshot"\} 1$/m);
    await app.waitForOutput(/audit: heap snapshot streamed: \d+ bytes, paused \d+ ms/);
  }, 90_000);

  it('keeps answering through the shutdown delay (live 200, ready 503) and closes after the main port', async () => {
    const { app, management } = await start({ SHUTDOWN_DELAY_MS: '1500' });
    app.child.kill('SIGTERM');
    await app.waitForOutput('readiness now 503');
    const live = await fetch(`${management}/health/live`);
    const ready = await fetch(`${management}/health/ready`);
    const metrics = await fetch(`${management}/metrics`);
    expect([live.status, ready.status, metrics.status]).toEqual([200, 503, 200]);
    expect(await ready.json()).toMatchObject({ status: 'error', error: { lifecycle: { status: 'down' } } });
    expect(await app.exited).toBe(0);
    await expect(fetch(`${management}/health/live`)).rejects.toThrow();
    const output = app.output();
    const order = ['stopped accepting connections', 'resources closed', 'management listener closed', 'shutdown complete'].map((line) =>
      output.indexOf(line),
    );
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});
