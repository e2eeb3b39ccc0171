import { CircuitOpenError, UpstreamTimeoutError, UpstreamUnavailableError } from '../../src/platform/http-client/http-client.errors';
import { PermitsExhaustedError } from '../../src/platform/resilience/resilience.errors';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { runInRequestContext } from '../../src/platform/request-context/request-context';
import { createTestClient, rejectionOf, type TestClient } from '../utils/outbound-client';
import { behave, closedPortUrl, UpstreamServer } from '../utils/upstream-server';

/**
 * The HTTP client against real local upstreams on 127.0.0.1 (fast, slow, hanging, 5xx, resets, refused).
 * Timing bounds have generous margins: the machine is shared.
 */
describe('HttpClient against real upstreams (faults)', () => {
  let upstream: UpstreamServer;
  const clients: TestClient[] = [];

  function client(...args: Parameters<typeof createTestClient>): TestClient {
    const created = createTestClient(...args);
    clients.push(created);
    return created;
  }

  /** Retries and breaker out of the way, for tests about something else. */
  const quiet = { retry: { maxRetries: 0 }, breaker: { consecutiveFailures: 1000, window: 1000, minimumAttempts: 1000 } };

  beforeEach(async () => {
    upstream = await new UpstreamServer().start();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await upstream.stop();
  });

  describe('per-host connection cap', () => {
    it('never opens more than maxConnections sockets to the upstream, however many calls are made at once', async () => {
      upstream.behaviour = behave.slow(150);
      const { client: http } = client('capped', { baseUrl: upstream.url, maxConnections: 4, maxQueued: 100, ...quiet }, { permits: 200 });
      const results = await Promise.all(Array.from({ length: 40 }, () => http.get('/items')));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(upstream.requests).toBe(40);
      expect(upstream.maxOpenConnections).toBe(4);
      // Kept alive and reused: 40 calls over 4 connections.
      expect(upstream.connectionsAccepted).toBe(4);
    });

    it('takes the cap from OUTBOUND_MAX_CONNECTIONS_PER_HOST when the upstream does not override it', async () => {
      upstream.behaviour = behave.slow(100);
      const { client: http } = client('default_cap', { baseUrl: upstream.url, ...quiet }, { permits: 100, maxConnectionsPerHost: 3 });
      await Promise.all(Array.from({ length: 6 }, () => http.get('/')));
      expect(upstream.maxOpenConnections).toBe(3);
    });

    it('refuses calls beyond maxConnections + maxQueued at once instead of queueing them without bound', async () => {
      upstream.behaviour = behave.hang();
      const { client: http, metric } = client(
        'bounded',
        { baseUrl: upstream.url, maxConnections: 2, maxQueued: 3, timeoutMs: 400, ...quiet },
        { permits: 100 },
      );
      const calls = Array.from({ length: 10 }, () => rejectionOf(http.get('/')));
      const errors = await Promise.all(calls);
      expect(errors.filter((e) => e instanceof UpstreamTimeoutError)).toHaveLength(5);
      const refused = errors.filter((e) => e instanceof PermitsExhaustedError);
      expect(refused).toHaveLength(5);
      expect(refused[0].toProblem().type).toMatch(/permits-exhausted$/);
      expect(upstream.maxOpenConnections).toBeLessThanOrEqual(2);
      expect(await metric('outbound_request_duration_seconds', { upstream: 'bounded', outcome: 'rejected' })).toBe(5);
      expect(await metric('outbound_request_duration_seconds', { upstream: 'bounded', outcome: 'timeout' })).toBe(5);
    });
  });

  describe('timeouts', () => {
    it('ends a call to a hanging upstream with 504 upstream-timeout at the call timeout, without retrying it', async () => {
      upstream.behaviour = behave.hang();
      const { client: http, metric } = client('hanging', { baseUrl: upstream.url, timeoutMs: 300 });
      const started = performance.now();
      const error = await rejectionOf(http.get('/slow'));
      const elapsed = performance.now() - started;
      expect(error).toBeInstanceOf(UpstreamTimeoutError);
      expect((error as UpstreamTimeoutError).toProblem()).toMatchObject({ status: 504, type: 'urn:ballast:problem:upstream-timeout' });
      expect(elapsed).toBeGreaterThanOrEqual(280);
      expect(elapsed).toBeLessThan(300 + 1500);
      expect(upstream.requests).toBe(1);
      expect(await metric('outbound_request_duration_seconds', { upstream: 'hanging', outcome: 'timeout' })).toBe(1);
    });

    it('ends a call whose upstream stalls mid-body at the call timeout too', async () => {
      upstream.behaviour = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"partial":');
      };
      const { client: http } = client('stalled', { baseUrl: upstream.url, timeoutMs: 300, ...quiet });
      const started = performance.now();
      expect(await rejectionOf(http.get('/'))).toBeInstanceOf(UpstreamTimeoutError);
      expect(performance.now() - started).toBeLessThan(300 + 1500);
    });

    it('ends a connection that never completes at OUTBOUND_CONNECT_TIMEOUT_MS as a connection error, long before the call timeout', async () => {
      // A TCP server that accepts and never speaks: the TLS handshake of an https upstream never completes.
      const silent: TcpServer = createTcpServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const address = silent.address();
      try {
        const port = typeof address === 'object' && address ? address.port : 0;
        const { client: http, metric } = client(
          'no_handshake',
          { baseUrl: `https://127.0.0.1:${port}`, timeoutMs: 10_000, ...quiet },
          { connectTimeoutMs: 200 },
        );
        const started = performance.now();
        const error = await rejectionOf(http.get('/'));
        expect(error).toBeInstanceOf(UpstreamUnavailableError);
        expect(error).toMatchObject({ reason: 'connect_error' });
        // undici's connect timer is coarse (about 1 s at this size); the point is that it is not the 10 s call timeout.
        expect(performance.now() - started).toBeLessThan(3000);
        expect(await metric('outbound_request_duration_seconds', { upstream: 'no_handshake', outcome: 'connect_error' })).toBe(1);
      } finally {
        silent.close();
      }
    });

    it('uses the request’s remaining deadline when it is shorter than the call timeout', async () => {
      upstream.behaviour = behave.hang();
      const { client: http } = client('deadline', { baseUrl: upstream.url, timeoutMs: 10_000 });
      const started = performance.now();
      const context = { startedAt: started, deadlineAt: started + 250 };
      const error = await rejectionOf(runInRequestContext(context, () => http.get('/')));
      const elapsed = performance.now() - started;
      expect(error).toBeInstanceOf(UpstreamTimeoutError);
      expect(elapsed).toBeGreaterThanOrEqual(230);
      expect(elapsed).toBeLessThan(250 + 1500);
    });

    it('stops a call when the request being served aborts, with the request’s reason, and counts it as aborted', async () => {
      upstream.behaviour = behave.hang();
      const { client: http, metric, permits } = client('aborted', { baseUrl: upstream.url, timeoutMs: 10_000 });
      const controller = new AbortController();
      const context = { startedAt: performance.now(), signal: controller.signal };
      const call = rejectionOf(runInRequestContext(context, () => http.get('/')));
      setTimeout(() => controller.abort(new Error('client went away')), 100);
      const error = await call;
      expect((error as Error).message).toBe('client went away');
      expect(await metric('outbound_request_duration_seconds', { upstream: 'aborted', outcome: 'aborted' })).toBe(1);
      expect(permits.inUse).toBe(0);
    });
  });

  describe('retries', () => {
    it('retries an idempotent call after connection resets and succeeds, counting the retries', async () => {
      let calls = 0;
      upstream.behaviour = (req, res) => (++calls <= 2 ? behave.reset()(req, res) : behave.json({ ok: true })(req, res));
      const { client: http, metric } = client('flaky', { baseUrl: upstream.url, retry: { maxRetries: 3, initialDelayMs: 10 } });
      const response = await http.get('/');
      expect(response).toMatchObject({ status: 200, body: { ok: true } });
      expect(upstream.requests).toBe(3);
      expect(await metric('outbound_retries_total', { upstream: 'flaky' })).toBe(2);
      expect(await metric('outbound_request_duration_seconds', { upstream: 'flaky', outcome: 'success' })).toBe(1);
    });

    it('retries 502, 503 and 504 but not 500', async () => {
      const statuses = [502, 503, 504];
      upstream.behaviour = (req, res) => {
        const status = statuses.shift();
        return status ? behave.status(status)(req, res) : behave.json({ ok: true })(req, res);
      };
      const { client: http } = client('retryable', { baseUrl: upstream.url, retry: { maxRetries: 3, initialDelayMs: 10 } });
      expect((await http.get('/')).status).toBe(200);
      expect(upstream.requests).toBe(4);

      upstream.resetCounters();
      upstream.behaviour = behave.status(500);
      const error = await rejectionOf(http.get('/'));
      expect(error).toBeInstanceOf(UpstreamUnavailableError);
      expect(error).toMatchObject({ reason: 'http_error', upstreamStatus: 500 });
      expect(upstream.requests).toBe(1);
    });

    it('never retries a POST (not idempotent), even after a reset; a PUT is retried', async () => {
      upstream.behaviour = behave.reset();
      const { client: http } = client('writes', { baseUrl: upstream.url, retry: { maxRetries: 3, initialDelayMs: 10 } });
      const error = await rejectionOf(http.request({ method: 'POST', path: '/orders', json: { id: 1 } }));
      expect(error).toBeInstanceOf(UpstreamUnavailableError);
      expect(error).toMatchObject({ reason: 'connect_error' });
      expect(upstream.requests).toBe(1);

      upstream.resetCounters();
      await rejectionOf(http.request({ method: 'PUT', path: '/orders/1', json: { id: 1 } }));
      expect(upstream.requests).toBe(4);
    });

    it('gives up on a refused connection after maxRetries with 503 upstream-unavailable', async () => {
      const { client: http, metric } = client('refused', { baseUrl: await closedPortUrl(), retry: { maxRetries: 2, initialDelayMs: 10 } });
      const error = await rejectionOf(http.get('/'));
      expect(error).toBeInstanceOf(UpstreamUnavailableError);
      expect((error as UpstreamUnavailableError).toProblem()).toMatchObject({
        status: 503,
        type: 'urn:ballast:problem:upstream-unavailable',
      });
      expect((error as UpstreamUnavailableError).options.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(await metric('outbound_retries_total', { upstream: 'refused' })).toBe(2);
      expect(await metric('outbound_request_duration_seconds', { upstream: 'refused', outcome: 'connect_error' })).toBe(1);
    });

    it('keeps retries within the budget: a failing upstream sees at most calls × (1 + ratio) + burst requests', async () => {
      upstream.behaviour = behave.status(503);
      const { client: http, metric } = client('budgeted', {
        baseUrl: upstream.url,
        retry: { maxRetries: 3, initialDelayMs: 1, maxDelayMs: 2, budgetRatio: 0.1, budgetBurst: 2 },
        breaker: quiet.breaker,
      });
      const calls = 40;
      for (let i = 0; i < calls; i++) await rejectionOf(http.get('/'));
      const retries = await metric('outbound_retries_total', { upstream: 'budgeted' });
      expect(upstream.requests).toBe(calls + retries);
      // Without a budget: 40 × 4 = 160 requests.
      expect(upstream.requests).toBeLessThanOrEqual(calls + 2 + 0.1 * calls);
      expect(retries).toBeGreaterThanOrEqual(0.1 * calls);
    });

    it('does not retry when the backoff would outlast the call’s remaining time', async () => {
      upstream.behaviour = behave.status(503);
      const { client: http } = client('no_time', {
        baseUrl: upstream.url,
        timeoutMs: 200,
        retry: { maxRetries: 5, initialDelayMs: 1000, maxDelayMs: 1000 },
      });
      const started = performance.now();
      expect(await rejectionOf(http.get('/'))).toBeInstanceOf(UpstreamUnavailableError);
      expect(upstream.requests).toBe(1);
      expect(performance.now() - started).toBeLessThan(200 + 1000);
    });
  });

  describe('circuit breaker', () => {
    it('opens after consecutive failures, refuses at once without calling the upstream, and recovers after half-open', async () => {
      upstream.behaviour = behave.status(500);
      const { client: http, metric } = client('breaker', {
        baseUrl: upstream.url,
        retry: { maxRetries: 0 },
        breaker: { consecutiveFailures: 3, halfOpenAfterMs: 400 },
      });
      for (let i = 0; i < 3; i++) expect(await rejectionOf(http.get('/'))).toBeInstanceOf(UpstreamUnavailableError);
      expect(http.circuitState).toBe('open');
      expect(await metric('outbound_circuit_state', { upstream: 'breaker' })).toBe(2);

      const refused = await rejectionOf(http.get('/'));
      expect(refused).toBeInstanceOf(CircuitOpenError);
      expect((refused as CircuitOpenError).toProblem()).toMatchObject({ status: 503, type: 'urn:ballast:problem:upstream-circuit-open' });
      expect((refused as CircuitOpenError).options.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(upstream.requests).toBe(3);
      expect(await metric('outbound_request_duration_seconds', { upstream: 'breaker', outcome: 'circuit_open' })).toBe(1);

      upstream.behaviour = behave.slow(200);
      await new Promise((resolve) => setTimeout(resolve, 450));
      // The trial call goes through; a second caller meanwhile is refused at once instead of waiting for it.
      const trial = http.get('/');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(http.circuitState).toBe('half-open');
      expect(await metric('outbound_circuit_state', { upstream: 'breaker' })).toBe(1);
      expect(await rejectionOf(http.get('/'))).toBeInstanceOf(CircuitOpenError);
      expect((await trial).status).toBe(200);
      expect(http.circuitState).toBe('closed');
      expect(await metric('outbound_circuit_state', { upstream: 'breaker' })).toBe(0);
      expect((await http.get('/')).status).toBe(200);
    });

    it('opens again when the half-open trial fails', async () => {
      upstream.behaviour = behave.status(503);
      const { client: http } = client('reopen', {
        baseUrl: upstream.url,
        retry: { maxRetries: 0 },
        breaker: { consecutiveFailures: 2, halfOpenAfterMs: 200 },
      });
      await rejectionOf(http.get('/'));
      await rejectionOf(http.get('/'));
      expect(http.circuitState).toBe('open');
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await rejectionOf(http.get('/'))).toBeInstanceOf(UpstreamUnavailableError);
      expect(http.circuitState).toBe('open');
      expect(await rejectionOf(http.get('/'))).toBeInstanceOf(CircuitOpenError);
      expect(upstream.requests).toBe(3);
    });

    it('counts timeouts as failures: a hanging upstream opens the circuit', async () => {
      upstream.behaviour = behave.hang();
      const { client: http } = client('slow_breaker', { baseUrl: upstream.url, timeoutMs: 100, breaker: { consecutiveFailures: 2 } });
      await rejectionOf(http.get('/'));
      await rejectionOf(http.get('/'));
      expect(await rejectionOf(http.get('/'))).toBeInstanceOf(CircuitOpenError);
      expect(upstream.requests).toBe(2);
    });

    it('does not count a 4xx as a failure: it is returned to the caller', async () => {
      upstream.behaviour = behave.json({ error: 'no such thing' }, 404);
      const { client: http } = client('fourxx', { baseUrl: upstream.url, breaker: { consecutiveFailures: 2 } });
      for (let i = 0; i < 5; i++) expect(await http.get('/')).toMatchObject({ status: 404, body: { error: 'no such thing' } });
      expect(http.circuitState).toBe('closed');
    });
  });

  describe('external permits', () => {
    it('fails fast with 503 permits-exhausted when every permit is held, and releases them when calls end', async () => {
      upstream.behaviour = behave.hang();
      const { client: http, metric, permits } = client('permits', { baseUrl: upstream.url, timeoutMs: 1000, ...quiet }, { permits: 3 });
      const held = Array.from({ length: 3 }, () => rejectionOf(http.get('/')));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(permits.inUse).toBe(3);
      const started = performance.now();
      const refused = await rejectionOf(http.get('/'));
      expect(performance.now() - started).toBeLessThan(250);
      expect(refused).toBeInstanceOf(PermitsExhaustedError);
      expect((refused as PermitsExhaustedError).toProblem()).toMatchObject({ status: 503, type: 'urn:ballast:problem:permits-exhausted' });
      expect((refused as PermitsExhaustedError).options.retryAfterSeconds).toBe(1);
      expect(await metric('resource_permits_rejected_total', { resource: 'external' })).toBe(1);
      expect(await metric('resource_permits_in_use', { resource: 'external' })).toBe(3);
      expect(upstream.requests).toBe(3);

      await Promise.all(held);
      expect(permits.inUse).toBe(0);
      expect(await metric('resource_permits_in_use', { resource: 'external' })).toBe(0);
      upstream.behaviour = behave.json({ ok: true });
      expect((await http.get('/')).status).toBe(200);
    });

    it('shares the permits across upstreams', async () => {
      const other = await new UpstreamServer(behave.hang()).start();
      try {
        upstream.behaviour = behave.hang();
        const a = client('first', { baseUrl: upstream.url, timeoutMs: 500, ...quiet }, { permits: 2 });
        // The same pool behind both clients, as in the app.
        const b = client('second', { baseUrl: other.url, timeoutMs: 500, ...quiet }, { sharedPermits: a.permits });
        const held = [rejectionOf(a.client.get('/')), rejectionOf(a.client.get('/'))];
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(await rejectionOf(b.client.get('/'))).toBeInstanceOf(PermitsExhaustedError);
        expect(other.requests).toBe(0);
        await Promise.all(held);
      } finally {
        await other.stop();
      }
    });
  });

  describe('what a call sends and returns', () => {
    it('forwards the request id and traceparent of the request being served, and nothing else of it', async () => {
      const { client: http } = client('headers', { baseUrl: `${upstream.url}/v2/` });
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      await runInRequestContext({ startedAt: performance.now(), requestId: 'req-42', traceparent }, () =>
        http.get('/things/a%2Fb', { query: { limit: 5, skip: undefined } }),
      );
      expect(upstream.paths).toEqual(['/v2/things/a%2Fb?limit=5']);
      expect(upstream.headers[0]).toMatchObject({ 'x-request-id': 'req-42', traceparent, accept: 'application/json' });
      expect(upstream.headers[0]?.cookie).toBeUndefined();
    });

    it('returns text bodies as text and refuses a JSON body that does not parse with 503', async () => {
      upstream.behaviour = (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('plain');
      };
      const { client: http } = client('bodies', { baseUrl: upstream.url, ...quiet });
      expect((await http.get('/')).body).toBe('plain');
      upstream.behaviour = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{not json');
      };
      expect(await rejectionOf(http.get('/'))).toMatchObject({ reason: 'invalid_response', status: 503 });
    });

    it('refuses a response body larger than maxResponseBytes with 503', async () => {
      upstream.behaviour = behave.json({ blob: 'x'.repeat(10_000) });
      const { client: http } = client('big', { baseUrl: upstream.url, maxResponseBytes: 1000, ...quiet });
      expect(await rejectionOf(http.get('/'))).toMatchObject({ reason: 'invalid_response', status: 503 });
    });
  });

  describe('a hanging upstream under load', () => {
    it('answers 200 concurrent calls within the timeout + margin, holds the socket cap, and releases every permit', async () => {
      upstream.behaviour = behave.hang();
      const { client: http, permits } = client(
        'flood',
        { baseUrl: upstream.url, timeoutMs: 500, maxConnections: 10, breaker: quiet.breaker },
        { permits: 20 },
      );
      const heapBefore = process.memoryUsage().heapUsed;
      const started = performance.now();
      const durations: number[] = [];
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, async () => {
          const t0 = performance.now();
          const error = await rejectionOf(http.get('/'));
          durations.push(performance.now() - t0);
          return (error as { constructor: { name: string } }).constructor.name;
        }),
      );
      const counts = outcomes.reduce<Record<string, number>>((acc, name) => ({ ...acc, [name]: (acc[name] ?? 0) + 1 }), {});
      // 20 permits: 20 calls time out at 500 ms, the other 180 are refused at once.
      expect(counts).toEqual({ UpstreamTimeoutError: 20, PermitsExhaustedError: 180 });
      expect(Math.max(...durations)).toBeLessThan(500 + 1500);
      expect(performance.now() - started).toBeLessThan(500 + 1500);
      expect(upstream.maxOpenConnections).toBeLessThanOrEqual(10);
      expect(permits.inUse).toBe(0);
      // Nothing accumulates: the heap stays within a few MB of where it was (no per-call leftovers).
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(32 * 1024 * 1024);
    });
  });
});
