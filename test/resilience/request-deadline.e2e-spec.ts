import { Logger } from '@nestjs/common';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { PermitPool } from '../../src/platform/resilience/permit-pool';
import { permitsToken } from '../../src/platform/resilience/resilience.constants';
import { eventually, listen, lockTable, metric, timedGet, waitingBackends } from './resilience-test-utils';
import { ResilienceTestModule } from './resilience-test.module';

const DEADLINE_MS = 600;

describe('Request deadline (e2e, real PostgreSQL)', () => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    // The statement timeout is far beyond the deadline: whatever stops a stalled query early is the deadline.
    t = await createTestApp(
      { REQUEST_TIMEOUT_MS: String(DEADLINE_MS), DB_STATEMENT_TIMEOUT_MS: '20000' },
      { extraImports: [ResilienceTestModule] },
    );
    base = await listen(t.server);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 504 problem+json at the deadline and drops the handler result that arrives later', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error');
    try {
      const res = await timedGet(`${base}/test/slow?ms=${DEADLINE_MS + 400}`);
      expect(res.status).toBe(504);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toEqual({
        type: 'urn:ballast:problem:request-timeout',
        title: 'Deadline exceeded',
        status: 504,
        detail: expect.any(String),
      });
      expect(res.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
      expect(res.ms).toBeLessThan(DEADLINE_MS + 400);
      // Let the late result arrive: no "headers already sent" error, and the server keeps serving.
      await new Promise((r) => setTimeout(r, 600));
      expect(errors).not.toHaveBeenCalled();
      expect((await timedGet(`${base}/test/slow?ms=1`)).status).toBe(200);
    } finally {
      errors.mockRestore();
    }
    expect(await metric(base, 'http_requests_rejected_total', { reason: 'timeout' })).toBe(1);
  });

  it('expires each of several requests in flight at its own deadline (one queue and one timer for all)', async () => {
    const started = performance.now();
    const at = (ms: number) => new Promise((r) => setTimeout(r, ms - (performance.now() - started)));
    const slow = () => timedGet(`${base}/test/slow?ms=${DEADLINE_MS + 600}`);
    const first = slow();
    await at(150);
    const quick = timedGet(`${base}/test/slow?ms=50`);
    const second = slow();
    await at(300);
    const third = slow();
    const results = await Promise.all([first, quick, second, third]);
    expect(results.map((r) => r.status)).toEqual([504, 200, 504, 504]);
    for (const r of [results[0], results[2], results[3]]) {
      expect(r?.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
      expect(r?.ms).toBeLessThan(DEADLINE_MS + 400);
    }
    // The server is not left with a stale timer or queue: the next request is served in time.
    expect((await timedGet(`${base}/test/slow?ms=1`)).status).toBe(200);
  });

  it('lets a request that finishes in time through untouched', async () => {
    const res = await timedGet(`${base}/test/slow?ms=50`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ slept: 50 });
  });

  it('cancels a database statement stalled behind a lock when the deadline passes, and frees its permit', async () => {
    const lock = await lockTable(t.database.url, 'users');
    const permits = t.app.get<PermitPool>(permitsToken('db'));
    try {
      const res = await timedGet(`${base}/api/v1/users`);
      expect(res.status).toBe(504);
      expect(res.body['type']).toBe('urn:ballast:problem:request-timeout');
      // The statement was cancelled on the server (statement_timeout is 20 s) and the permit came back.
      await eventually(async () => permits.inUse === 0 && (await waitingBackends(t.database.url)) === 0, 3000);
    } finally {
      await lock.release();
    }
    const after = await timedGet(`${base}/api/v1/users`);
    expect(after.status).toBe(200);
  });
});
