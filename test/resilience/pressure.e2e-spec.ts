import { getHeapStatistics } from 'node:v8';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { eventually, listen, metric, timedGet, type Timed } from './resilience-test-utils';
import { OverloadTestModule } from './overload-test.module';

const OVERLOADED = {
  type: 'urn:ballast:problem:overloaded',
  title: 'Service temporarily unavailable',
  status: 503,
  detail: expect.any(String),
};

function heapUsedPercent(): number {
  const heap = getHeapStatistics();
  return (100 * heap.used_heap_size) / heap.heap_size_limit;
}

describe('Pressure shedding (e2e)', () => {
  describe('event-loop delay (SHED_MAX_EVENT_LOOP_DELAY_MS=30)', () => {
    let t: TestApp;
    let base: string;

    beforeAll(async () => {
      t = await createTestApp({ SHED_MAX_EVENT_LOOP_DELAY_MS: '30' }, { extraImports: [OverloadTestModule] });
      base = await listen(t.server);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('a CPU-burning route drives the delay past the threshold: the excess gets 503 overloaded while /health/live answers', async () => {
      expect((await timedGet(`${base}/test/overload/slow?ms=1`)).status).toBe(200);
      const results: Timed[] = [];
      const live: number[] = [];
      const until = performance.now() + 3000;
      const client = async () => {
        while (performance.now() < until) results.push(await timedGet(`${base}/test/overload/burn?ms=50`));
      };
      const prober = async () => {
        while (performance.now() < until) {
          live.push((await timedGet(`${base}/health/live`)).status);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      await Promise.all([...Array.from({ length: 20 }, client), prober()]);

      const shed = results.filter((r) => r.status === 503);
      const served = results.filter((r) => r.status === 200);
      expect(served.length).toBeGreaterThan(0);
      expect(shed.length).toBeGreaterThan(0);
      expect(served.length + shed.length).toBe(results.length);
      for (const r of shed) {
        expect(r.body).toEqual(OVERLOADED);
        expect(r.headers.get('retry-after')).toBe('1');
        expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
      // Health is never shed: every probe during the pressure got its 200.
      expect(live.length).toBeGreaterThan(0);
      expect(live).toEqual(Array(live.length).fill(200));
      expect(await metric(base, 'http_requests_rejected_total', { reason: 'pressure' })).toBe(shed.length);
      expect(await metric(base, 'http_requests_rejected_total', { reason: 'concurrency' })).toBe(0);
    });

    it('admits again once the burning stops and the next sample is under the threshold', async () => {
      await eventually(async () => (await timedGet(`${base}/test/overload/slow?ms=1`)).status === 200, 5000);
    });
  });

  describe('heap (SHED_MAX_HEAP_USED_PERCENT below what is in use)', () => {
    let t: TestApp;
    let base: string;

    beforeAll(async () => {
      t = await createTestApp({ SHED_MAX_HEAP_USED_PERCENT: '1' }, { extraImports: [OverloadTestModule] });
      base = await listen(t.server);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('sheds every API request with 503 overloaded, of the heap limit, while health and metrics answer', async () => {
      // The threshold is a share of heap_size_limit (what --max-old-space-size sets): this process uses more than 1 %.
      expect(heapUsedPercent()).toBeGreaterThan(1);
      await eventually(async () => (await timedGet(`${base}/test/overload/slow?ms=1`)).status === 503);
      const before = (await metric(base, 'http_requests_rejected_total', { reason: 'pressure' })) ?? 0;
      const results = await Promise.all(Array.from({ length: 5 }, () => timedGet(`${base}/api/v1/users`)));
      for (const r of results) {
        expect(r.status).toBe(503);
        expect(r.body).toEqual(OVERLOADED);
      }
      expect((await timedGet(`${base}/health/live`)).status).toBe(200);
      expect((await timedGet(`${base}/metrics`)).status).toBe(200);
      expect(await metric(base, 'http_requests_rejected_total', { reason: 'pressure' })).toBe(before + 5);
    });

    it('does not flip readiness: a pod under pressure stays in the load balancer (docs/resilience.md)', async () => {
      const ready = await timedGet(`${base}/health/ready`);
      expect(ready.status).toBe(200);
    });
  });
});
