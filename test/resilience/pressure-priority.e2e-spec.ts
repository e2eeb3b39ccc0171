import { getHeapStatistics } from 'node:v8';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { eventually, listen, metric, openRequest, timedGet } from './resilience-test-utils';
import { OverloadTestModule } from './overload-test.module';

describe('Shed priorities (e2e, @ShedPriority)', () => {
  describe('near the concurrency limit (HTTP_CONCURRENCY_LIMIT=10, SHED_LOW_PRIORITY_PERCENT=50)', () => {
    let t: TestApp;
    let base: string;

    beforeAll(async () => {
      t = await createTestApp({ HTTP_CONCURRENCY_LIMIT: '10', SHED_LOW_PRIORITY_PERCENT: '50' }, { extraImports: [OverloadTestModule] });
      base = await listen(t.server);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('reports the fixed limit as http_concurrency_limit', async () => {
      expect(await metric(base, 'http_concurrency_limit')).toBe(10);
    });

    it('admits low priority while under half the limit is in flight', async () => {
      expect((await timedGet(`${base}/test/overload/low-slow?ms=1`)).status).toBe(200);
      expect((await timedGet(`${base}/test/batch/7`)).status).toBe(200);
    });

    it('refuses low-priority requests first: with 5 of 10 in flight they get 503, normal ones are still admitted', async () => {
      const holders = Array.from({ length: 5 }, () => openRequest(`${base}/test/overload/slow?ms=5000`));
      try {
        await eventually(async () => (await metric(base, 'http_requests_in_flight')) === 5);
        const before = (await metric(base, 'http_requests_rejected_total', { reason: 'concurrency' })) ?? 0;
        const low = await timedGet(`${base}/test/overload/low-slow?ms=1`);
        expect(low.status).toBe(503);
        expect(low.body['type']).toBe('urn:ballast:problem:concurrency-limit');
        expect(low.headers.get('retry-after')).toBe('1');
        // A whole controller marked low, with a route parameter and a query string; HEAD counts as GET.
        expect((await timedGet(`${base}/test/batch/42?x=1`)).status).toBe(503);
        expect((await fetch(`${base}/test/batch/42`, { method: 'HEAD' })).status).toBe(503);
        // A method marked normal inside it, and an ordinary route, pass.
        expect((await timedGet(`${base}/test/batch/42/status`)).status).toBe(200);
        expect((await timedGet(`${base}/test/overload/slow?ms=1`)).status).toBe(200);
        expect(await metric(base, 'http_requests_rejected_total', { reason: 'concurrency' })).toBe(before + 3);
      } finally {
        for (const h of holders) h.destroy();
      }
      await eventually(async () => (await metric(base, 'http_requests_in_flight')) === 0);
      expect((await timedGet(`${base}/test/overload/low-slow?ms=1`)).status).toBe(200);
    });
  });

  describe('under pressure (heap at ~1/3 of SHED_MAX_HEAP_USED_PERCENT, SHED_LOW_PRIORITY_PERCENT=10)', () => {
    let t: TestApp;
    let base: string;

    beforeAll(async () => {
      const heap = getHeapStatistics();
      // Strained (past 10 % of the threshold) but far from overloaded, however the heap moves during the test.
      const threshold = Math.min(100, Math.ceil(((100 * heap.used_heap_size) / heap.heap_size_limit) * 3));
      t = await createTestApp(
        { SHED_MAX_HEAP_USED_PERCENT: String(threshold), SHED_LOW_PRIORITY_PERCENT: '10' },
        { extraImports: [OverloadTestModule] },
      );
      base = await listen(t.server);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('sheds low-priority routes with 503 overloaded while normal routes and health are served', async () => {
      await eventually(async () => (await timedGet(`${base}/test/overload/low-slow?ms=1`)).status === 503);
      const low = await timedGet(`${base}/test/batch/1`);
      expect(low.status).toBe(503);
      expect(low.body['type']).toBe('urn:ballast:problem:overloaded');
      for (let i = 0; i < 5; i++) expect((await timedGet(`${base}/test/overload/slow?ms=1`)).status).toBe(200);
      expect((await timedGet(`${base}/api/v1/users`)).status).toBe(200);
      expect((await timedGet(`${base}/health/live`)).status).toBe(200);
      expect(await metric(base, 'http_requests_rejected_total', { reason: 'pressure' })).toBeGreaterThanOrEqual(2);
    });
  });
});
