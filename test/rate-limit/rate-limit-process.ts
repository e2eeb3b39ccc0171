import { type AppProcess, startAppProcess } from '../utils/app-process';
import { sharedRedis } from '../utils/redis';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';
import { newClientIp } from './rate-limit-test-app';

/**
 * The rate limiter in the real process: the strict POST policy on top of the default one, keyed by the forwarded
 * client, with the in-process store (`npm test`) or a shared Redis (`npm run test:system`).
 */
export function describeRateLimitProcess(store: 'memory' | 'redis'): void {
  describe(`node dist/main.js with the rate limiter (real process, ${store === 'redis' ? 'real Redis' : 'in-process store'})`, () => {
    let db: TestDatabase;
    let redis: { url: string; stop(): Promise<void> } | undefined;
    let app: AppProcess;
    beforeAll(async () => {
      db = await createTestDatabase();
      if (store === 'redis') redis = await sharedRedis();
      app = await startAppProcess({
        DATABASE_URL: db.url,
        ...(redis ? { REDIS_URL: redis.url } : {}),
        RATE_LIMIT_BURST: '5',
        RATE_LIMIT_PER_SECOND: '1',
        TRUST_PROXY: '1',
      });
      await app.waitFor('/api/v1/users', 200); // migrations done (these polls come from 127.0.0.1, not the test clients)
    });
    afterAll(async () => {
      if (app) expect(await app.stop('SIGTERM')).toBe(0);
      await db?.drop();
      await redis?.stop();
    });

    const post = (ip: string, n: number) =>
      fetch(`${app.baseUrl}/api/v1/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify({ email: `u${n}-${ip}@example.com`, name: 'U' }),
      });

    it('limits POST /api/v1/users by the strict policy on top of the default one, keyed by the forwarded client', async () => {
      const ip = newClientIp();
      const first = await post(ip, 1);
      expect(first.status).toBe(201);
      expect(first.headers.get('ratelimit-policy')).toBe('"default";q=5;w=5, "strict";q=1;w=5');
      const second = await post(ip, 2);
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toMatch(/^[1-5]$/);
      expect(await second.json()).toMatchObject({ status: 429, type: 'urn:ballast:problem:rate-limited' });
      const read = await fetch(`${app.baseUrl}/api/v1/users`, { headers: { 'x-forwarded-for': ip } });
      expect(read.status).toBe(200);
      expect(read.headers.get('ratelimit')).toMatch(/^"default";r=[23];t=\d$/);
      expect((await post(newClientIp(), 3)).status).toBe(201);
    });

    it('never limits /metrics', async () => {
      for (let i = 0; i < 8; i++) expect((await fetch(`${app.baseUrl}/metrics`)).status).toBe(200);
    });
  });
}
