import { AdmissionControlMiddleware } from '../../src/platform/resilience/admission-control.middleware';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { listen, metric, timedGet, type Timed } from './resilience-test-utils';
import { dbCost, OverloadTestModule } from './overload-test.module';

const MIN = 4;
const MAX = 200;
const CLIENTS = 40;
const PHASE_MS = 4000;
const FAST_MS = 2;
const SLOW_MS = 50;

/**
 * Keeps CLIENTS requests going to the database route for `ms`; returns what each got, with its send time, and
 * the limit sampled every 50 ms in the second half of the phase (when it has adapted).
 */
async function load(
  base: string,
  ms: number,
  limit: () => number,
): Promise<{ results: Array<Timed & { sentAt: number }>; limits: number[] }> {
  const results: Array<Timed & { sentAt: number }> = [];
  const limits: number[] = [];
  const started = performance.now();
  const until = started + ms;
  const sampler = setInterval(() => {
    if (performance.now() >= started + ms / 2) limits.push(limit());
  }, 50);
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) {
        const sentAt = performance.now();
        const r = await timedGet(`${base}/test/overload/db`);
        results.push({ ...r, sentAt });
        // A refused client backs off briefly, as Retry-After asks (shortened): a hot loop of refusals would only measure the client.
        if (r.status === 503) await new Promise((res) => setTimeout(res, 20));
      }
    }),
  );
  clearInterval(sampler);
  return { results, limits };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function p90(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length * 0.9) - 1] ?? NaN;
}

describe('Adaptive concurrency limit (e2e, HTTP_CONCURRENCY_LIMIT=adaptive)', () => {
  let t: TestApp;
  let base: string;
  let admission: AdmissionControlMiddleware;

  beforeAll(async () => {
    t = await createTestApp(
      {
        HTTP_CONCURRENCY_LIMIT: 'adaptive',
        HTTP_CONCURRENCY_LIMIT_MIN: String(MIN),
        HTTP_CONCURRENCY_LIMIT_MAX: String(MAX),
        DB_POOL_MAX: '8',
        DB_POOL_MIN: '8',
        DB_PERMITS: '1000',
      },
      { extraImports: [OverloadTestModule] },
    );
    base = await listen(t.server);
    admission = t.app.get(AdmissionControlMiddleware);
  });
  afterAll(async () => {
    dbCost.ms = FAST_MS;
    await t?.close();
  });

  it('falls when the database gets 25x slower, keeping admitted latency bounded, and rises again when it recovers', async () => {
    expect(await metric(base, 'http_concurrency_limit')).toBe(MIN);

    dbCost.ms = FAST_MS;
    const fast = await load(base, PHASE_MS, () => admission.limit);
    const limitFast = median(fast.limits);
    expect(await metric(base, 'http_concurrency_limit')).toBe(admission.limit);
    const minRtt = await metric(base, 'http_concurrency_rtt_seconds', { kind: 'min' });
    expect(minRtt).toBeGreaterThan(FAST_MS / 1000);
    expect(await metric(base, 'http_concurrency_rtt_seconds', { kind: 'sample' })).toBeGreaterThan(0);
    expect(fast.results.filter((r) => r.status === 200).length).toBeGreaterThan(100);
    // It learned a limit above its floor while the database was fast.
    expect(limitFast).toBeGreaterThan(MIN * 2);

    dbCost.ms = SLOW_MS;
    const slowStarted = performance.now();
    const slow = await load(base, PHASE_MS, () => admission.limit);
    const limitSlow = median(slow.limits);
    expect(limitSlow).toBeLessThan(limitFast);
    expect(Math.min(...slow.limits)).toBeGreaterThanOrEqual(MIN);
    // The excess is refused at the edge instead of queueing for the pool.
    const refused = slow.results.filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.body['type']).toBe('urn:ballast:problem:concurrency-limit');
    expect(slow.results.filter((r) => r.status !== 200 && r.status !== 503)).toEqual([]);
    // Admitted requests in the second half (the limit has adapted): bounded by a few queries' time, not by
    // 40 clients queueing for 8 connections (40 / 8 × 50 ms = 250 ms per request under a fixed cap of 40+).
    const settled = slow.results.filter((r) => r.status === 200 && r.sentAt >= slowStarted + PHASE_MS / 2).map((r) => r.ms);
    expect(settled.length).toBeGreaterThan(20);
    expect(p90(settled)).toBeLessThan(1000);
    expect(await metric(base, 'http_concurrency_rtt_seconds', { kind: 'sample' })).toBeGreaterThanOrEqual(SLOW_MS / 1000);

    dbCost.ms = FAST_MS;
    const recovered = await load(base, PHASE_MS, () => admission.limit);
    const limitRecovered = median(recovered.limits);
    expect(limitRecovered).toBeGreaterThan(limitSlow);
    expect(Math.max(...recovered.limits)).toBeLessThanOrEqual(MAX);
    process.stdout.write(
      `adaptive limit (median of each phase's second half): fast ${limitFast}, 25x slower ${limitSlow}, recovered ${limitRecovered}; settled admitted p90 ${p90(settled).toFixed(0)} ms\n`,
    );
  });
});
