import { behave } from '../utils/upstream-server';
import { SPAN_KIND } from './otlp-receiver';
import { startTracedApp, type TracedApp } from './traced-app';

/**
 * The refusals tracing.e2e-spec.ts cannot provoke without disturbing its other cases: a 429 (that app's limit is
 * the default) and a request answered while the service drains (that app must stay up). Own app, own limits.
 */
describe('tracing of refused and drained requests (node dist/main.js, real OTLP/HTTP receiver)', () => {
  let t: TracedApp;

  beforeAll(async () => {
    t = await startTracedApp({
      // Three requests a client at once, then one a second.
      RATE_LIMIT_PER_SECOND: '1',
      RATE_LIMIT_BURST: '3',
      SHUTDOWN_DELAY_MS: '0',
    });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('records a request refused by the rate limit (429) with its status and the reason', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6 && !statuses.includes(429); i++) {
      const res = await fetch(`${t.app.baseUrl}/api/v1/users`, { headers: { 'x-request-id': `trace-limited-${i}` } });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.at(-1)).toBe(429);
    const last = statuses.length - 1;
    const refused = await t.receiver.spanOfRequest(`trace-limited-${last}`);
    expect(refused).toMatchObject({
      name: 'GET /api/v1/users',
      kind: SPAN_KIND.server,
      attributes: expect.objectContaining({ 'http.response.status_code': 429, 'ballast.refusal.reason': 'rate-limited' }),
    });
    const served = await t.receiver.spanOfRequest(`trace-limited-${last - 1}`);
    expect(served.attributes['ballast.refusal.reason']).toBeUndefined();
  });

  it('marks a request in flight when the drain began as closing its connection, and exports it at SIGTERM', async () => {
    // Two tokens back (one a second), for a user to hold a profile request on, then the request itself, held by
    // the hanging upstream (answered degraded after PROFILE_SERVICE_TIMEOUT_MS, 1.5 s).
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    const created = await fetch(`${t.app.baseUrl}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'drain@example.com', name: 'Drain' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    t.upstream.behaviour = behave.hang();
    const held = fetch(`${t.app.baseUrl}/api/v1/users/${id}/profile`, { headers: { 'x-request-id': 'trace-drained-1' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = t.app.stop('SIGTERM');
    const res = await held;
    expect(res.status).toBe(200);
    expect(res.headers.get('connection')).toBe('close');
    expect(await exited).toBe(0);
    const drained = await t.receiver.spanOfRequest('trace-drained-1');
    expect(drained.attributes).toMatchObject({ 'http.response.status_code': 200, 'ballast.connection_close': true });
  }, 30_000);
});
