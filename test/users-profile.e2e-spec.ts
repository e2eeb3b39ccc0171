import request from 'supertest';
import { UpstreamHealthIndicator } from '../src/platform/http-client/upstream.health';
import { createTestApp, type TestApp } from './utils/create-test-app';
import { behave, UpstreamServer } from './utils/upstream-server';

/**
 * GET /api/v1/users/:id/profile against a real profile service on 127.0.0.1 that the test controls. The tests
 * run in order: the profile upstream's circuit breaker (5 consecutive failures) carries over between them.
 */
describe('Users profile enrichment through the HTTP client (e2e)', () => {
  let t: TestApp;
  let profiles: UpstreamServer;
  let userId: string;
  const timeoutMs = 1000;

  beforeAll(async () => {
    profiles = await new UpstreamServer().start();
    t = await createTestApp({
      PROFILE_SERVICE_URL: `${profiles.url}/`,
      PROFILE_SERVICE_TIMEOUT_MS: String(timeoutMs),
      EXTERNAL_API_PERMITS: '4',
    });
    const created = await request(t.server).post('/api/v1/users').send({ email: 'grace@example.com', name: 'Grace' }).expect(201);
    userId = created.body.id;
  });
  afterAll(async () => {
    await t?.close();
    await profiles?.stop();
  });

  const profileOf = (id = userId) => request(t.server).get(`/api/v1/users/${id}/profile`);

  it('enriches the stored user with the documented profile fields only', async () => {
    profiles.behaviour = behave.json({
      displayName: 'Amazing Grace',
      avatarUrl: 'https://img.example/g.png',
      bio: 42,
      internalScore: 0.97,
    });
    const res = await profileOf();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: userId,
      email: 'grace@example.com',
      name: 'Grace',
      createdAt: expect.any(String),
      profile: { displayName: 'Amazing Grace', avatarUrl: 'https://img.example/g.png', bio: null },
      profileStatus: 'ok',
    });
    expect(profiles.paths.at(-1)).toBe(`/profiles/${userId}`);
  });

  it('answers profile null with profileStatus not_found when the profile service has none', async () => {
    profiles.behaviour = behave.json({ error: 'unknown' }, 404);
    const res = await profileOf();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: userId, profile: null, profileStatus: 'not_found' });
  });

  it('answers 404 for an unknown user without calling the profile service', async () => {
    profiles.resetCounters();
    expect((await profileOf('01939e6a-0000-7000-8000-000000000000')).status).toBe(404);
    expect(profiles.requests).toBe(0);
  });

  it('degrades to profileStatus unavailable (200 with the stored user) when the profile service fails', async () => {
    profiles.behaviour = behave.status(500);
    const res = await profileOf();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: userId, name: 'Grace', profile: null, profileStatus: 'unavailable' });
    expect(JSON.stringify(res.body)).not.toMatch(/db01|hunter2|127\.0\.0\.1/);
    profiles.behaviour = behave.json({ displayName: 'Grace' });
    expect((await profileOf()).body.profileStatus).toBe('ok');
  });

  it('degrades to profileStatus timeout within PROFILE_SERVICE_TIMEOUT_MS when the profile service hangs', async () => {
    profiles.behaviour = behave.hang();
    const started = performance.now();
    const res = await profileOf();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: userId, profile: null, profileStatus: 'timeout' });
    expect(performance.now() - started).toBeLessThan(timeoutMs + 1500);
  });

  it('degrades to profileStatus unavailable for the calls beyond EXTERNAL_API_PERMITS when it is saturated', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => profileOf()));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const statuses = results.map((r) => r.body.profileStatus as string).sort();
    expect(statuses).toEqual([...Array(6).fill('unavailable'), ...Array(4).fill('timeout')].sort());
    expect(profiles.maxOpenConnections).toBeLessThanOrEqual(10);
  });

  it('degrades to profileStatus circuit_open once failures opened the circuit, without calling the profile service', async () => {
    profiles.resetCounters();
    profiles.behaviour = behave.json({ displayName: 'Grace' });
    const res = await profileOf();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ profile: null, profileStatus: 'circuit_open' });
    expect(profiles.requests).toBe(0);
    const health = await t.app.get(UpstreamHealthIndicator).isHealthy('profile');
    expect(health.upstream_profile).toMatchObject({ status: 'degraded', circuit: 'open' });
    const metrics = await request(t.server).get('/metrics');
    expect(metrics.text).toMatch(/outbound_circuit_state\{upstream="profile"\} 2/);
    expect(metrics.text).toMatch(/outbound_request_duration_seconds_count\{upstream="profile",outcome="timeout"\} 5/);
    expect(metrics.text).toMatch(/resource_permits_in_use\{resource="external"\} 0/);
    expect(metrics.text).toMatch(/resource_permits_rejected_total\{resource="external"\} 6/);
  });
});
