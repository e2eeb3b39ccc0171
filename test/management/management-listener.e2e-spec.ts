import { freePort } from '../utils/app-process';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { ResilienceTestModule } from '../resilience/resilience-test.module';
import { eventually, listen, metric, openRequest } from '../resilience/resilience-test-utils';

const TOKEN = 'listener-test-token-0123456789';
const SLOW_MS = 5000;

/** A CPU profile as Chrome DevTools reads it (`.cpuprofile`: the Profiler domain's Profile). */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string } }>;
  startTime: number;
  endTime: number;
  samples: number[];
}

describe('management listener (in-process app, real listeners): diagnostics, readiness, and answering under saturation', () => {
  let t: TestApp;
  let main: string;
  let management: string;
  const auth = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    const port = await freePort();
    t = await createTestApp(
      {
        MANAGEMENT_PORT: String(port),
        MANAGEMENT_HOST: '127.0.0.1',
        MANAGEMENT_TOKEN: TOKEN,
        HTTP_CONCURRENCY_LIMIT: '2',
        RATE_LIMIT_PER_SECOND: '1',
        RATE_LIMIT_BURST: '4',
      },
      { extraImports: [ResilienceTestModule] },
    );
    main = await listen(t.server);
    management = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('streams a CPU profile that parses as a .cpuprofile, and refuses a second diagnostic with 409 while it runs', async () => {
    const profile = fetch(`${management}/admin/cpu-profile?seconds=1`, { method: 'POST', headers: auth });
    // The profile holds the single diagnostic slot for a second: a heap snapshot asked meanwhile is refused.
    await new Promise((r) => setTimeout(r, 200));
    const concurrent = await fetch(`${management}/admin/heap-snapshot`, { method: 'POST', headers: auth });
    expect(concurrent.status).toBe(409);
    expect(await concurrent.json()).toMatchObject({ status: 409, type: 'urn:ballast:problem:diagnostic-in-progress' });
    const res = await profile;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/\.cpuprofile"$/);
    const body = JSON.parse(await res.text()) as CpuProfile;
    expect(body.nodes.length).toBeGreaterThan(0);
    expect(body.nodes[0].callFrame.functionName).toBe('(root)');
    expect(body.endTime).toBeGreaterThan(body.startTime);
    expect(Array.isArray(body.samples)).toBe(true);
    expect(await metric(management, 'diagnostics_taken_total', { kind: 'cpu_profile' })).toBe(1);
  });

  it('bounds the CPU profile length', async () => {
    for (const seconds of ['0', '301', 'abc', '1.5']) {
      const res = await fetch(`${management}/admin/cpu-profile?seconds=${seconds}`, { method: 'POST', headers: auth });
      expect({ seconds, status: res.status }).toEqual({ seconds, status: 400 });
    }
  });

  it('takes the instance out of rotation on request: ready 503 with operator down, live 200, then back', async () => {
    const put = (ready: boolean) =>
      fetch(`${management}/admin/readiness`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ ready }),
      });
    expect((await put(false)).status).toBe(200);
    const unready = await fetch(`${management}/health/ready`);
    expect(unready.status).toBe(503);
    expect(await unready.json()).toMatchObject({ error: { lifecycle: { status: 'down', state: 'out-of-rotation' } } });
    expect((await fetch(`${management}/health/live`)).status).toBe(200);
    expect((await put(true)).status).toBe(200);
    expect((await fetch(`${management}/health/ready`)).status).toBe(200);
  });

  it('keeps /metrics and the probes answering while the API is saturated past its concurrency limit, then rate limited', async () => {
    const holders = Array.from({ length: 2 }, () => openRequest(`${main}/test/slow?ms=${SLOW_MS}&aware=1`));
    try {
      await eventually(async () => (await fetch(`${main}/test/slow?ms=1`)).status === 503);
      for (let i = 0; i < 5; i++) {
        const [metrics, ready, live] = await Promise.all(['/metrics', '/health/ready', '/health/live'].map((p) => fetch(management + p)));
        expect([metrics.status, ready.status, live.status]).toEqual([200, 200, 200]);
        expect(await metrics.text()).toMatch(/^http_requests_rejected_total\{reason="concurrency"\} [1-9]/m);
      }
    } finally {
      for (const holder of holders) holder.destroy();
    }
    await eventually(async () => (await fetch(`${main}/test/slow?ms=1`)).status === 429);
    const [metrics, ready] = await Promise.all([fetch(`${management}/metrics`), fetch(`${management}/health/ready`)]);
    expect([metrics.status, ready.status]).toEqual([200, 200]);
    expect(await metrics.text()).toMatch(/^http_requests_rejected_total\{reason="rate_limit"\} [1-9]/m);
  });
});
