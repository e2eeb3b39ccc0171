import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { type FaultMode, type FaultProxy, startFaultProxy } from '../utils/fault-proxy';
import { parseMetrics } from '../utils/metrics-text';
import { type RedisServer, startRedisServer } from '../utils/redis';
import { drive, printScenario, timeRecovery, watchLive } from './upstream-and-redis-load';

type Policy = 'local' | 'open' | 'closed';

const REDIS_TIMEOUT_MS = 100;
// A limited request waits at most one Redis call (RATE_LIMIT_REDIS_TIMEOUT_MS) plus its own work: 2 s of margin
// on a loaded 2-core machine; past HANG_BOUND_MS a request counts as hanging.
const HANG_BOUND_MS = REDIS_TIMEOUT_MS + 2000;
const FAULT_MS = 1500;
// ioredis reconnects with a backoff capped at 2 s, and a failed call leaves Redis alone for 1 s (docs/rate-limiting.md).
const RECOVERY_BOUND_MS = 8000;

/** Statuses each policy may answer on a limited route while Redis does not answer (limits are high: never 429). */
const ALLOWED: Record<Policy, string[]> = { local: ['200'], open: ['200'], closed: ['200', '503'] };

const SCENARIOS: Array<{ name: string; mode: FaultMode; opts?: { latencyMs?: number; acceptNew?: boolean } }> = [
  { name: 'hold', mode: 'hold' },
  { name: 'black hole', mode: 'blackhole' },
  { name: 'reset', mode: 'reset' },
  { name: 'slow (latency 300 ms > 100 ms timeout)', mode: 'latency', opts: { latencyMs: 300 } },
  { name: 'refuse', mode: 'refuse' },
];

/**
 * The Redis rows of the fault matrix (issue 15) for one RATE_LIMIT_REDIS_FAILURE policy: the real app, its
 * REDIS_URL through a fault proxy in front of a throwaway redis-server, one boot for all five faults.
 */
export function describeRedisFaults(policy: Policy): void {
  describe(`Redis faults under RATE_LIMIT_REDIS_FAILURE=${policy}`, () => {
    let redis: RedisServer;
    let proxy: FaultProxy;
    let t: TestApp;
    let baseUrl: string;

    beforeAll(async () => {
      redis = await startRedisServer();
      proxy = await startFaultProxy({ host: '127.0.0.1', port: redis.port });
      t = await createTestApp({
        REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
        RATE_LIMIT_REDIS_FAILURE: policy,
        RATE_LIMIT_REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
        LOG_LEVEL: 'error', // every fallback decision would be a warn line
      });
      await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
    }, 30_000);
    afterAll(async () => {
      await t?.close();
      await proxy?.close();
      await redis?.stop();
    });

    async function fallbacks(): Promise<number> {
      const text = await (await fetch(`${baseUrl}/metrics`)).text();
      return parseMetrics(text)
        .filter((s) => s.name === 'rate_limit_fallback_total')
        .reduce((sum, s) => sum + s.value, 0);
    }

    async function limitedRequest(signal: AbortSignal): Promise<string> {
      const res = await fetch(`${baseUrl}/api/v1/users?limit=1`, { signal });
      const body = await res.text();
      if (res.status === 503) expect(JSON.parse(body)).toMatchObject({ type: expect.stringContaining('rate-limit-unavailable') });
      return String(res.status);
    }

    it.each(SCENARIOS)(
      '$name: only documented statuses, none past the timeout, live 200, Redis used again after',
      async ({ name, mode, opts }) => {
        // Healthy first: Redis decides (no fallback), every answer 200.
        await timeRecovery(async () => {
          const before = await fallbacks();
          return (await limitedRequest(AbortSignal.timeout(HANG_BOUND_MS))) === '200' && (await fallbacks()) === before;
        }, RECOVERY_BOUND_MS);
        const fallbacksBefore = await fallbacks();

        await proxy.setMode(mode, opts);
        const load = drive(FAULT_MS, 4, limitedRequest, HANG_BOUND_MS);
        const liveStatuses = await watchLive(baseUrl, load);
        const { sent, statuses, worstMs } = await load;
        const decidedByPolicy = (await fallbacks()) - fallbacksBefore;

        await proxy.setMode('pass');
        const recoveryMs = await timeRecovery(async () => {
          const before = await fallbacks();
          return (await limitedRequest(AbortSignal.timeout(HANG_BOUND_MS))) === '200' && (await fallbacks()) === before;
        }, RECOVERY_BOUND_MS);
        printScenario({ name: `redis ${policy} ${name}`, sent, statuses, worstMs, liveStatuses, recoveryMs });

        expect([...statuses.keys()].filter((s) => !ALLOWED[policy].includes(s))).toEqual([]);
        expect(worstMs).toBeLessThan(HANG_BOUND_MS);
        expect([...liveStatuses.keys()]).toEqual(['200']);
        // The fault was seen: the policy decided requests while Redis did not answer.
        expect(decidedByPolicy).toBeGreaterThan(0);
        if (policy === 'closed') expect(statuses.get('503') ?? 0).toBeGreaterThan(0);
        expect(recoveryMs).toBeLessThan(RECOVERY_BOUND_MS);
        // Readiness does not depend on Redis (docs/rate-limiting.md: the limiter degrades by its policy).
        expect((await fetch(`${baseUrl}/health/ready`)).status).toBe(200);
      },
      30_000,
    );
  });
}
