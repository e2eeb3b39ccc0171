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
});
