import request from 'supertest';
import { createTestApp, type TestApp } from '../utils/create-test-app';

/**
 * The ordinary e2e tests run with a huge rate limit; here the real app refuses, so the 429 and its headers go
 * through the same contract check as every other response (test/contract/contract-recorder.ts).
 */
describe('refusals under the contract check (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '2' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a rate-limited answer is the documented 429 with Retry-After, RateLimit-Policy and RateLimit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await request(t.server).get('/api/v1/users')).status);
    expect(statuses).toContain(429);
    const res = await request(t.server).get('/api/v1/users');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.headers['ratelimit-policy']).toBeDefined();
  });
});
