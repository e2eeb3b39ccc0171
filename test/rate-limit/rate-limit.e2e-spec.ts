import request from 'supertest';
import { createRateLimitTestApp, metricValue, newClientIp, type RateLimitTestApp } from './rate-limit-test-app';

const PROBLEM = /^application\/problem\+json/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Rate limiting (e2e, in-process store)', () => {
  describe('without TRUST_PROXY (burst 5, 1/s)', () => {
    let t: RateLimitTestApp;
    beforeAll(async () => {
      t = await createRateLimitTestApp({ RATE_LIMIT_BURST: '5', RATE_LIMIT_PER_SECOND: '1' });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('admits the burst at once, then answers 429 problem+json with Retry-After and the IETF headers', async () => {
      const remaining: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await request(t.server).get('/api/things');
        expect(res.status).toBe(200);
        expect(res.headers['ratelimit-policy']).toBe('"default";q=5;w=5');
        remaining.push(res.headers['ratelimit']);
      }
      expect(remaining.map((h) => /r=(\d+)/.exec(h)?.[1])).toEqual(['4', '3', '2', '1', '0']);
      expect(remaining.every((h) => /^"default";r=\d;t=[1-5]$/.test(h))).toBe(true);

      const refused = await request(t.server).get('/api/things');
      expect(refused.status).toBe(429);
      expect(refused.headers['content-type']).toMatch(PROBLEM);
      expect(refused.body).toMatchObject({ status: 429, type: 'urn:ballast:problem:rate-limited', title: expect.any(String) });
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.headers['ratelimit-policy']).toBe('"default";q=5;w=5');
      expect(refused.headers['ratelimit']).toBe('"default";r=0;t=1');
      expect(refused.headers['x-ratelimit-limit']).toBeUndefined();

      const metrics = await request(t.server).get('/metrics');
      expect(metricValue(metrics.text, 'http_requests_rejected_total', 'reason="rate_limit"')).toBeGreaterThanOrEqual(1);
    });

    it('keys by the TCP peer and ignores a spoofed X-Forwarded-For', async () => {
      // The bucket of 127.0.0.1 is empty after the previous test; a new XFF per request must not help.
      const statuses = await Promise.all(
        Array.from({ length: 5 }, () =>
          request(t.server)
            .get('/api/things')
            .set('X-Forwarded-For', newClientIp())
            .then((r) => r.status),
        ),
      );
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(4);
    });

    it('never limits /health/* and /metrics, nor routes marked @SkipThrottle()', async () => {
      for (let i = 0; i < 10; i++) await request(t.server).get('/api/things');
      for (const path of ['/health/live', '/health/ready', '/metrics', '/api/skipped', '/HEALTH/live/', '/metrics?x=1']) {
        for (let i = 0; i < 3; i++) {
          const res = await request(t.server).get(path);
          expect({ path, status: res.status }).toEqual({ path, status: 200 });
          expect(res.headers['ratelimit']).toBeUndefined();
        }
      }
    });

    it('refills at the configured rate: one token per second after the burst', async () => {
      const local = await createRateLimitTestApp({ RATE_LIMIT_BURST: '3', RATE_LIMIT_PER_SECOND: '1' });
      try {
        for (let i = 0; i < 3; i++) expect((await request(local.server).get('/api/things')).status).toBe(200);
        expect((await request(local.server).get('/api/things')).status).toBe(429);
        await sleep(1100);
        expect((await request(local.server).get('/api/things')).status).toBe(200);
        expect((await request(local.server).get('/api/things')).status).toBe(429);
      } finally {
        await local.close();
      }
    });
  });

  describe('exactness under concurrency (burst 20, 1/s)', () => {
    it('refuses exactly the excess of N + 5 simultaneous requests', async () => {
      const t = await createRateLimitTestApp({ RATE_LIMIT_BURST: '20', RATE_LIMIT_PER_SECOND: '1' });
      try {
        const statuses = await Promise.all(
          Array.from({ length: 25 }, () =>
            request(t.server)
              .get('/api/things')
              .then((r) => r.status),
          ),
        );
        expect(statuses.filter((s) => s === 200)).toHaveLength(20);
        expect(statuses.filter((s) => s === 429)).toHaveLength(5);
      } finally {
        await t.close();
      }
    });
  });

  describe('PROTECTIONS_DISABLED=rate_limit (burst 2, 1/s)', () => {
    it('lets every request through and sends no rate-limit headers', async () => {
      const t = await createRateLimitTestApp({ RATE_LIMIT_BURST: '2', RATE_LIMIT_PER_SECOND: '1', PROTECTIONS_DISABLED: 'rate_limit' });
      try {
        const responses = await Promise.all(Array.from({ length: 6 }, () => request(t.server).get('/api/things')));
        expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
        expect(responses[0]?.headers['ratelimit']).toBeUndefined();
      } finally {
        await t.close();
      }
    });
  });

  describe('with TRUST_PROXY (burst 3, 1/s)', () => {
    it('TRUST_PROXY=loopback: each forwarded client has its own bucket', async () => {
      const t = await createRateLimitTestApp({ RATE_LIMIT_BURST: '3', RATE_LIMIT_PER_SECOND: '1', TRUST_PROXY: 'loopback' });
      try {
        const [a, b] = [newClientIp(), newClientIp()];
        for (let i = 0; i < 3; i++) expect((await request(t.server).get('/api/things').set('X-Forwarded-For', a)).status).toBe(200);
        expect((await request(t.server).get('/api/things').set('X-Forwarded-For', a)).status).toBe(429);
        const other = await request(t.server).get('/api/things').set('X-Forwarded-For', b);
        expect(other.status).toBe(200);
        expect(other.headers['ratelimit']).toMatch(/^"default";r=2;/);
      } finally {
        await t.close();
      }
    });

    it('TRUST_PROXY=1: the address the trusted proxy saw counts, entries the client prepended do not', async () => {
      const t = await createRateLimitTestApp({ RATE_LIMIT_BURST: '3', RATE_LIMIT_PER_SECOND: '1', TRUST_PROXY: '1' });
      try {
        const real = newClientIp();
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++) {
          statuses.push((await request(t.server).get('/api/things').set('X-Forwarded-For', `${newClientIp()}, ${real}`)).status);
        }
        expect(statuses).toEqual([200, 200, 200, 429, 429]);
        expect((await request(t.server).get('/api/things').set('X-Forwarded-For', `${real}, ${newClientIp()}`)).status).toBe(200);
      } finally {
        await t.close();
      }
    });
  });

  describe('policies and keys (burst 10, 5/s; strict: burst 2, 1/s)', () => {
    let t: RateLimitTestApp;
    beforeEach(async () => {
      t = await createRateLimitTestApp({ RATE_LIMIT_BURST: '10', RATE_LIMIT_PER_SECOND: '5', TRUST_PROXY: 'loopback' });
    });
    afterEach(async () => {
      await t?.close();
    });

    it('@RateLimitPolicy(STRICT_POLICY) adds a smaller bucket on top of the API-wide one', async () => {
      const ip = newClientIp();
      const first = await request(t.server).post('/api/things').set('X-Forwarded-For', ip);
      expect(first.status).toBe(201);
      expect(first.headers['ratelimit-policy']).toBe('"default";q=10;w=2, "strict";q=2;w=2');
      expect(first.headers['ratelimit']).toMatch(/^"default";r=9;t=\d, "strict";r=1;t=\d$/);
      expect((await request(t.server).post('/api/things').set('X-Forwarded-For', ip)).status).toBe(201);
      const refused = await request(t.server).post('/api/things').set('X-Forwarded-For', ip);
      expect(refused.status).toBe(429);
      expect(refused.headers['ratelimit']).toMatch(/, "strict";r=0;t=1$/);
      const read = await request(t.server).get('/api/things').set('X-Forwarded-For', ip);
      expect(read.status).toBe(200);
      expect(read.headers['ratelimit-policy']).toBe('"default";q=10;w=2');
    });

    it('a route-level @Throttle gets its own bucket instead of the API-wide one', async () => {
      const ip = newClientIp();
      for (let i = 0; i < 2; i++) expect((await request(t.server).get('/api/special').set('X-Forwarded-For', ip)).status).toBe(200);
      const refused = await request(t.server).get('/api/special').set('X-Forwarded-For', ip);
      expect(refused.status).toBe(429);
      expect(refused.headers['ratelimit-policy']).toBe('"default";q=2;w=2');
      const elsewhere = await request(t.server).get('/api/things').set('X-Forwarded-For', ip);
      expect(elsewhere.status).toBe(200);
      expect(elsewhere.headers['ratelimit']).toMatch(/^"default";r=9;/);
    });

    it('a route whose limit is a function of the request is limited per request', async () => {
      const basic = newClientIp();
      expect((await request(t.server).get('/api/dynamic').set('X-Forwarded-For', basic)).status).toBe(200);
      expect((await request(t.server).get('/api/dynamic').set('X-Forwarded-For', basic)).status).toBe(429);
      const gold = newClientIp();
      for (let i = 0; i < 3; i++)
        expect((await request(t.server).get('/api/dynamic').set('X-Forwarded-For', gold).set('X-Tier', 'gold')).status).toBe(200);
      expect((await request(t.server).get('/api/dynamic').set('X-Forwarded-For', gold).set('X-Tier', 'gold')).status).toBe(429);
    });

    it('@RateLimitKey keys by the API key, and falls back to the IP without one', async () => {
      const ip = newClientIp();
      for (let i = 0; i < 10; i++)
        expect((await request(t.server).get('/api/keyed').set('X-Forwarded-For', ip).set('X-Api-Key', 'key-a')).status).toBe(200);
      expect((await request(t.server).get('/api/keyed').set('X-Forwarded-For', ip).set('X-Api-Key', 'key-a')).status).toBe(429);
      // Same IP, other key: its own budget. Other IP, same key: the same (empty) budget.
      expect((await request(t.server).get('/api/keyed').set('X-Forwarded-For', ip).set('X-Api-Key', 'key-b')).status).toBe(200);
      expect((await request(t.server).get('/api/keyed').set('X-Forwarded-For', newClientIp()).set('X-Api-Key', 'key-a')).status).toBe(429);
      // No key: the IP's bucket, untouched so far.
      const byIp = await request(t.server).get('/api/keyed').set('X-Forwarded-For', ip);
      expect(byIp.status).toBe(200);
      expect(byIp.headers['ratelimit']).toMatch(/^"default";r=9;/);
    });
  });
});
