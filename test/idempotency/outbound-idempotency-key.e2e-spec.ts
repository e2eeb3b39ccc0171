import { UpstreamUnavailableError } from '../../src/platform/http-client/http-client.errors';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { createTestClient, rejectionOf, type TestClient } from '../utils/outbound-client';
import { behave, UpstreamServer } from '../utils/upstream-server';
import { listen } from '../resilience/resilience-test-utils';

describe('HttpClient: a POST is retried only with an idempotency key, and the key is sent (real local upstreams)', () => {
  let upstream: UpstreamServer;
  const clients: TestClient[] = [];

  function client(...args: Parameters<typeof createTestClient>): TestClient {
    const created = createTestClient(...args);
    clients.push(created);
    return created;
  }

  beforeEach(async () => {
    upstream = await new UpstreamServer().start();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await upstream.stop();
  });

  it('sends a POST without a key once, even after a 503', async () => {
    upstream.behaviour = behave.status(503);
    const { client: http } = client('no_key', { baseUrl: upstream.url, retry: { maxRetries: 3, initialDelayMs: 5 } });
    expect(await rejectionOf(http.request({ method: 'POST', path: '/orders', json: { id: 1 } }))).toBeInstanceOf(UpstreamUnavailableError);
    expect(upstream.requests).toBe(1);
    expect(upstream.headers[0]?.['idempotency-key']).toBeUndefined();
  });

  it('retries a POST with a key after a reset and a 503, sending the same Idempotency-Key on every attempt', async () => {
    let n = 0;
    upstream.behaviour = (req, res) => {
      n++;
      if (n === 1) return behave.reset()(req, res);
      if (n === 2) return behave.status(503)(req, res);
      return behave.json({ id: 'o-1' }, 201)(req, res);
    };
    const { client: http } = client('with_key', { baseUrl: upstream.url, retry: { maxRetries: 3, initialDelayMs: 5, maxDelayMs: 10 } });
    const res = await http.request({ method: 'POST', path: '/orders', json: { id: 1 }, idempotencyKey: 'order-1' });
    expect(res).toMatchObject({ status: 201, body: { id: 'o-1' } });
    expect(upstream.requests).toBe(3);
    expect(upstream.headers.map((h) => h['idempotency-key'])).toEqual(['order-1', 'order-1', 'order-1']);
  });

  describe('against Ballast itself as the upstream', () => {
    let t: TestApp;
    let base: string;

    beforeAll(async () => {
      t = await createTestApp();
      base = await listen(t.server);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('a keyed POST repeated by the client creates one user and gets the same 201 back', async () => {
      const { client: http } = client('ballast', { baseUrl: base, retry: { maxRetries: 0 } });
      const call = () =>
        http.request<{ id: string }>({
          method: 'POST',
          path: '/api/v1/users',
          json: { email: 'outbound@example.com', name: 'O' },
          idempotencyKey: 'outbound-1',
        });
      const first = await call();
      const second = await call();
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.headers['idempotency-replayed']).toBe('true');
      expect(second.body.id).toBe(first.body.id);
      expect((await t.query(`SELECT 1 FROM users WHERE email = 'outbound@example.com'`)).rowCount).toBe(1);
    });
  });
});
