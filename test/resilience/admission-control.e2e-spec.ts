import { HttpDrain } from '../../src/platform/lifecycle/http-drain.service';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { eventually, listen, metric, openRequest, timedGet } from './resilience-test-utils';
import { ResilienceTestModule } from './resilience-test.module';

const SLOW_MS = 2000;

describe('HTTP admission control (e2e)', () => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp({ HTTP_CONCURRENCY_LIMIT: '10' }, { extraImports: [ResilienceTestModule] });
    base = await listen(t.server);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('with a limit of 10, sheds 20 of 30 slow requests at once with 503 + Retry-After while /metrics keeps answering', async () => {
    const all = Array.from({ length: 30 }, () => timedGet(`${base}/test/slow?ms=${SLOW_MS}`));
    // While the 10 admitted requests sleep, the exempt path answers and shows them in flight.
    await eventually(async () => (await metric(base, 'http_requests_in_flight')) === 10);
    const scrape = await timedGet(`${base}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.ms).toBeLessThan(SLOW_MS);

    const results = await Promise.all(all);
    const shed = results.filter((r) => r.status === 503);
    const served = results.filter((r) => r.status === 200);
    expect(shed).toHaveLength(20);
    expect(served).toHaveLength(10);
    for (const r of shed) {
      // Answered long before any admitted request could finish: refused on arrival, not queued.
      expect(r.ms).toBeLessThan(SLOW_MS / 2);
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body).toEqual({
        type: 'urn:ballast:problem:concurrency-limit',
        title: 'Service temporarily unavailable',
        status: 503,
        detail: expect.any(String),
      });
    }
    for (const r of served) expect(r.ms).toBeGreaterThanOrEqual(SLOW_MS - 50);

    expect(await metric(base, 'http_requests_rejected_total', { reason: 'concurrency' })).toBe(20);
    expect(await metric(base, 'http_requests_in_flight')).toBe(0);
  });

  it('admits new requests again as soon as in-flight ones finish', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => timedGet(`${base}/test/slow?ms=10`)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
  });

  it('frees the slot of a client that disconnects mid-request', async () => {
    const clients = Array.from({ length: 10 }, () => openRequest(`${base}/test/slow?ms=${SLOW_MS}&aware=1`));
    await eventually(async () => (await metric(base, 'http_requests_in_flight')) === 10);
    expect((await timedGet(`${base}/test/slow?ms=1`)).status).toBe(503);
    for (const c of clients) c.destroy();
    // Well before the handlers finish sleeping, the slots are free.
    const waited = await eventually(async () => (await metric(base, 'http_requests_in_flight')) === 0);
    expect(waited).toBeLessThan(SLOW_MS / 2);
    expect((await timedGet(`${base}/test/slow?ms=1`)).status).toBe(200);
  });

  it('answers a refusal in front of Express with what a served response carries: security headers, request id, metrics', async () => {
    const served = await timedGet(`${base}/test/slow?ms=1`);
    expect(served.status).toBe(200);
    const holders = Array.from({ length: 10 }, () => openRequest(`${base}/test/slow?ms=${SLOW_MS}&aware=1`));
    try {
      await eventually(async () => (await metric(base, 'http_requests_in_flight')) === 10);
      const before = (await metric(base, 'http_requests_total', { method: 'GET', route: '/test/slow', status_code: '503' })) ?? 0;
      const res = await fetch(`${base}/test/slow?ms=1`, { headers: { 'x-request-id': 'shed-me-1' } });
      expect(res.status).toBe(503);
      await res.arrayBuffer();
      for (const name of [
        'content-security-policy',
        'x-frame-options',
        'x-content-type-options',
        'referrer-policy',
        'cross-origin-resource-policy',
        'strict-transport-security',
      ]) {
        expect([name, res.headers.get(name)]).toEqual([name, served.headers.get(name)]);
        expect(res.headers.get(name)).not.toBeNull();
      }
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('x-request-id')).toBe('shed-me-1');
      await eventually(
        async () => (await metric(base, 'http_requests_total', { method: 'GET', route: '/test/slow', status_code: '503' })) === before + 1,
      );

      // Once shutdown began, a refusal closes its connection like every other response.
      t.app.get(HttpDrain).closeAfterResponses();
      const during = await fetch(`${base}/test/slow?ms=1`);
      expect(during.status).toBe(503);
      expect(during.headers.get('connection')).toBe('close');
      await during.arrayBuffer();
    } finally {
      for (const c of holders) c.destroy();
    }
  });
});

describe('HTTP admission control with CORS on (e2e)', () => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp(
      { HTTP_CONCURRENCY_LIMIT: '2', CORS_ORIGINS: 'https://app.example.com' },
      { extraImports: [ResilienceTestModule] },
    );
    base = await listen(t.server);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stays inside the pipeline, after CORS: a browser script can read the 503 and its Retry-After', async () => {
    const holders = Array.from({ length: 2 }, () => openRequest(`${base}/test/slow?ms=${SLOW_MS}&aware=1`));
    try {
      await eventually(async () => (await metric(base, 'http_requests_in_flight')) === 2);
      const res = await fetch(`${base}/test/slow?ms=1`, { headers: { origin: 'https://app.example.com' } });
      expect(res.status).toBe(503);
      await res.arrayBuffer();
      expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(res.headers.get('access-control-expose-headers')).toMatch(/Retry-After/);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    } finally {
      for (const c of holders) c.destroy();
    }
  });
});
