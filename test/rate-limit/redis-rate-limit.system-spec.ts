import { Redis } from 'ioredis';
import request from 'supertest';
import { freePort } from '../utils/app-process';
import { type RedisServer, sharedRedis, startRedisServer } from '../utils/redis';
import { createRateLimitTestApp, metricValue, newClientIp, type RateLimitTestApp } from './rate-limit-test-app';

const PROBLEM = /^application\/problem\+json/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends one request as client `ip` and returns its status and how long it took. */
async function hit(t: RateLimitTestApp, ip: string, path = '/api/things'): Promise<{ status: number; ms: number; res: request.Response }> {
  const started = performance.now();
  const res = await request(t.server).get(path).set('X-Forwarded-For', ip);
  return { status: res.status, ms: performance.now() - started, res };
}

describe('Rate limiting with Redis (e2e, real Redis)', () => {
  describe('shared Redis (127.0.0.1:6379 or a throwaway one)', () => {
    let redis: { url: string; stop(): Promise<void> };
    let a: RateLimitTestApp;
    let b: RateLimitTestApp;
    beforeAll(async () => {
      redis = await sharedRedis();
      const env = { REDIS_URL: redis.url, RATE_LIMIT_BURST: '10', RATE_LIMIT_PER_SECOND: '1', TRUST_PROXY: 'loopback' };
      a = await createRateLimitTestApp(env);
      b = await createRateLimitTestApp(env);
      await sleep(100); // the clients connect in the background
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await redis?.stop();
    });

    it('admits the burst, then 429 with the IETF headers, the Redis clock deciding', async () => {
      const ip = newClientIp();
      const remaining: string[] = [];
      for (let i = 0; i < 10; i++) {
        const { status, res } = await hit(a, ip);
        expect(status).toBe(200);
        remaining.push(/r=(\d+)/.exec(res.headers['ratelimit'])?.[1] ?? '');
      }
      expect(remaining).toEqual(['9', '8', '7', '6', '5', '4', '3', '2', '1', '0']);
      const refused = await hit(a, ip);
      expect(refused.status).toBe(429);
      expect(refused.res.headers['content-type']).toMatch(PROBLEM);
      expect(refused.res.headers['retry-after']).toBe('1');
      expect(refused.res.headers['ratelimit']).toBe('"default";r=0;t=1');
      const metrics = await request(a.server).get('/metrics');
      expect(metricValue(metrics.text, 'rate_limit_fallback_total', 'policy="local"')).toBe(0);
    });

    it('refills one token per second after the burst (the Lua script, not the in-process code)', async () => {
      const ip = newClientIp();
      for (let i = 0; i < 10; i++) expect((await hit(a, ip)).status).toBe(200);
      expect((await hit(a, ip)).status).toBe(429);
      await sleep(1100);
      const refilled = await hit(b, ip);
      expect(refilled.status).toBe(200);
      expect(refilled.res.headers['ratelimit']).toMatch(/^"default";r=0;t=(9|10)$/);
      expect((await hit(a, ip)).status).toBe(429);
    });

    it('refuses exactly the excess of simultaneous requests spread over two instances', async () => {
      const ip = newClientIp();
      const statuses = await Promise.all(Array.from({ length: 16 }, (_, i) => hit(i % 2 ? a : b, ip).then((r) => r.status)));
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(6);
    });

    it('two instances enforce one budget: what one admitted, the other refuses', async () => {
      const ip = newClientIp();
      for (let i = 0; i < 10; i++) expect((await hit(a, ip)).status).toBe(200);
      expect((await hit(b, ip)).status).toBe(429);
      expect((await hit(a, newClientIp())).status).toBe(200);
    });
  });

  describe('when Redis fails (a throwaway redis-server this test stops and restarts)', () => {
    let server: RedisServer;
    let t: RateLimitTestApp;
    beforeAll(async () => {
      server = await startRedisServer();
      t = await createRateLimitTestApp({
        REDIS_URL: server.url,
        RATE_LIMIT_BURST: '5',
        RATE_LIMIT_PER_SECOND: '1',
        TRUST_PROXY: 'loopback',
      });
      await sleep(100);
    });
    afterAll(async () => {
      await t?.close();
      await server?.stop();
    });

    it('keeps answering under the local policy while Redis is down, then shares state again when it returns', async () => {
      const probe = new Redis(server.url, { maxRetriesPerRequest: 1 });
      probe.on('error', () => undefined);
      try {
        const before = newClientIp();
        expect((await hit(t, before)).status).toBe(200);
        expect(await probe.exists(`ballast:rl:default:ip:${before}`)).toBe(1);

        await server.stop();
        const down = newClientIp();
        const results = [];
        for (let i = 0; i < 7; i++) results.push(await hit(t, down));
        // The local limiter enforces the same bucket in this process; nothing hangs, nothing is a 500.
        const statuses = results.map((r) => r.status);
        expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
        expect(statuses.slice(5).every((s) => s === 200 || s === 429) && statuses.includes(429)).toBe(true);
        expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(1000);
        const metrics = await request(t.server).get('/metrics');
        expect(metricValue(metrics.text, 'rate_limit_fallback_total', 'policy="local"')).toBeGreaterThanOrEqual(7);

        await server.restart();
        const after = newClientIp();
        const deadline = Date.now() + 10_000;
        let shared = false;
        while (!shared && Date.now() < deadline) {
          expect((await hit(t, after)).status).not.toBe(500);
          shared = (await probe.exists(`ballast:rl:default:ip:${after}`)) === 1;
          if (!shared) await sleep(200);
        }
        expect(shared).toBe(true);
      } finally {
        probe.disconnect();
      }
    });

    it('a Redis that stops answering costs at most the command timeout, then the policy decides at once', async () => {
      const storeErrors = async () => metricValue((await request(t.server).get('/metrics')).text, 'rate_limit_store_errors_total');
      const ip = newClientIp();
      expect((await hit(t, ip)).status).toBe(200);
      const errorsBefore = await storeErrors();
      server.pause();
      try {
        const first = await hit(t, ip);
        expect(first.status).toBe(200);
        expect(first.ms).toBeLessThan(100 + 900); // RATE_LIMIT_REDIS_TIMEOUT_MS (100) + a generous margin
        expect(await storeErrors()).toBe(errorsBefore + 1);
        // Held off Redis for a second: the next request does not wait for another timeout.
        expect((await hit(t, ip)).status).toBe(200);
        expect(await storeErrors()).toBe(errorsBefore + 1);
      } finally {
        server.resume();
      }
    });

    it('closes its Redis connection when the application shuts down', async () => {
      const own = await createRateLimitTestApp({ REDIS_URL: server.url });
      const admin = new Redis(server.url);
      try {
        const named = async () =>
          String(await admin.client('LIST'))
            .split('\n')
            .filter((line) => line.includes('name=ballast-rate-limit')).length;
        const deadline = Date.now() + 5000;
        while ((await named()) < 2 && Date.now() < deadline) await sleep(50); // t's client and own's
        expect(await named()).toBe(2);
        await own.close();
        const closedBy = Date.now() + 2000;
        while ((await named()) > 1 && Date.now() < closedBy) await sleep(20);
        expect(await named()).toBe(1);
      } finally {
        admin.disconnect();
      }
    });
  });

  describe('failure policies with no Redis at all (nothing listens on the port)', () => {
    it('RATE_LIMIT_REDIS_FAILURE=open admits everything and counts it', async () => {
      const t = await createRateLimitTestApp({
        REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
        RATE_LIMIT_REDIS_FAILURE: 'open',
        RATE_LIMIT_BURST: '2',
        RATE_LIMIT_PER_SECOND: '1',
      });
      try {
        const statuses = [];
        for (let i = 0; i < 5; i++) statuses.push((await request(t.server).get('/api/things')).status);
        expect(statuses).toEqual([200, 200, 200, 200, 200]);
        const metrics = await request(t.server).get('/metrics');
        expect(metricValue(metrics.text, 'rate_limit_fallback_total', 'policy="open"')).toBeGreaterThanOrEqual(5);
      } finally {
        await t.close();
      }
    });

    it('RATE_LIMIT_REDIS_FAILURE=closed answers 503 problem+json with Retry-After, never a 500', async () => {
      const t = await createRateLimitTestApp({ REDIS_URL: `redis://127.0.0.1:${await freePort()}`, RATE_LIMIT_REDIS_FAILURE: 'closed' });
      try {
        const res = await request(t.server).get('/api/things');
        expect(res.status).toBe(503);
        expect(res.headers['content-type']).toMatch(PROBLEM);
        expect(res.headers['retry-after']).toBe('1');
        expect(res.body.type).toBe('urn:ballast:problem:rate-limit-unavailable');
        expect((await request(t.server).get('/health/live')).status).toBe(200);
      } finally {
        await t.close();
      }
    });
  });
});
