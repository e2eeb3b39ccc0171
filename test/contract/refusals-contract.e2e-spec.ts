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
    // A burst of 2 at 1/s: the first two pass; the next, within the same second or so, are refused.
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses.slice(2)).toContain(429);
    const res = await request(t.server).get('/api/v1/users');
    expect(res.status).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 429, type: 'urn:ballast:problem:rate-limited' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(2);
    expect(res.headers['ratelimit-policy']).toBe('"default";q=2;w=2');
    expect(res.headers['ratelimit']).toMatch(/^"default";r=0;t=[12]$/);
  });
});
