import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { connected, trickle } from '../utils/raw-socket';

/** Slack for timing bounds on a shared, loaded 2-core machine; the bounds prove "cut", not speed. */
const MARGIN_MS = 2500;

async function listenOnLoopback(t: TestApp): Promise<number> {
  t.server.listen(0, '127.0.0.1');
  await once(t.server, 'listening');
  return (t.server.address() as AddressInfo).port;
}

describe('Node HTTP server limits (in-process app, real sockets on 127.0.0.1)', () => {
  describe('with short timeouts', () => {
    let t: TestApp;
    let port: number;
    beforeAll(async () => {
      t = await createTestApp({
        HTTP_HEADERS_TIMEOUT_MS: '1000',
        HTTP_REQUEST_TIMEOUT_MS: '2000',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '600',
        HTTP_MAX_HEADER_SIZE: '4096',
      });
      port = await listenOnLoopback(t);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers 408 and closes a client that trickles its headers, at HTTP_HEADERS_TIMEOUT_MS', async () => {
      const headers = `GET /api/v1/users HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ${'a'.repeat(2000)}`;
      const outcome = await trickle(port, headers, { intervalMs: 50 }).closed;
      expect(outcome.status).toBe(408);
      expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(950);
      expect(outcome.closedAfterMs).toBeLessThan(1000 + MARGIN_MS);
      expect(outcome.bytesWritten).toBeLessThan(headers.length); // it was cut mid-headers
    });

    it('closes a connection that never sends a byte at HTTP_HEADERS_TIMEOUT_MS', async () => {
      const outcome = await trickle(port, '', { intervalMs: 1000 }).closed;
      expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(950);
      expect(outcome.closedAfterMs).toBeLessThan(1000 + MARGIN_MS);
    });

    it('answers 408 and closes a client that trickles its body, at HTTP_REQUEST_TIMEOUT_MS', async () => {
      const prefix = 'POST /api/v1/users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n';
      const outcome = await trickle(port, ' ', { intervalMs: 50, loop: true, prefix }).closed;
      expect(outcome.status).toBe(408);
      expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(1950);
      expect(outcome.closedAfterMs).toBeLessThan(2000 + MARGIN_MS);
    });

    it('answers 431 to a request whose headers exceed HTTP_MAX_HEADER_SIZE, and serves one just below it', async () => {
      const big = await fetch(`http://127.0.0.1:${port}/api/v1/users`, { headers: { 'x-pad': 'a'.repeat(5000) } });
      expect(big.status).toBe(431);
      await big.arrayBuffer();
      const fits = await fetch(`http://127.0.0.1:${port}/api/v1/users`, { headers: { 'x-pad': 'a'.repeat(3000) } });
      expect(fits.status).toBe(200);
      await fits.arrayBuffer();
    });

    it('closes an idle keep-alive connection after HTTP_KEEP_ALIVE_TIMEOUT_MS (plus Node’s 1 s buffer)', async () => {
      const client = trickle(port, 'GET /api/v1/users?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', { intervalMs: 1, bytesPerTick: 1000 });
      const outcome = await client.closed;
      expect(outcome.status).toBe(200);
      expect(outcome.received).toMatch(/\r\nKeep-Alive: timeout=0\r\n/i); // 600 ms, advertised in whole seconds
      expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(550);
      expect(outcome.closedAfterMs).toBeLessThan(1600 + MARGIN_MS);
    });
  });

  describe('with the default timeouts and a connection cap', () => {
    let t: TestApp;
    let port: number;
    beforeAll(async () => {
      t = await createTestApp({ HTTP_MAX_CONNECTIONS: '5' });
      port = await listenOnLoopback(t);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('applies the documented defaults to the server', () => {
      expect(t.server.headersTimeout).toBe(66_000);
      expect(t.server.requestTimeout).toBe(90_000);
      expect(t.server.keepAliveTimeout).toBe(65_000);
      expect(t.server.maxConnections).toBe(5);
    });

    it('advertises a keep-alive timeout above a typical load balancer idle timeout (65 s > AWS ALB 60 s)', async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/users?limit=1`);
      await res.arrayBuffer();
      expect(res.headers.get('keep-alive')).toBe('timeout=65');
    });

    it('closes connections beyond HTTP_MAX_CONNECTIONS at once, and accepts again when one is freed', async () => {
      const held = Array.from({ length: 5 }, () => trickle(port, 'GET /api/v1/users HTTP/1.1\r\nHost: x\r\nX-Slow: ', { intervalMs: 200 }));
      await Promise.all(held.map(connected));
      await new Promise((r) => setTimeout(r, 100)); // let the server accept all five
      try {
        const extra = await trickle(port, 'GET /api/v1/users?limit=1 HTTP/1.1\r\nHost: x\r\n\r\n', { intervalMs: 1, bytesPerTick: 1000 })
          .closed;
        expect(extra.status).toBeUndefined(); // dropped without an answer
        expect(extra.closedAfterMs).toBeLessThan(MARGIN_MS);
        held[0]?.destroy();
        await held[0]?.closed;
        await new Promise((r) => setTimeout(r, 100));
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/users?limit=1`, { headers: { connection: 'close' } });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      } finally {
        held.forEach((client) => client.destroy());
      }
    });
  });
});
