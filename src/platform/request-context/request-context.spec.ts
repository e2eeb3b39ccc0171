import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientIpOf, contextOf, currentRequestContext, enterRequestContext, remainingTimeMs, runInRequestContext } from './request-context';

describe('request context', () => {
  it('attaches one context per request and exposes it inside the async chain', async () => {
    const req = {} as IncomingMessage;
    contextOf(req).requestId = 'abc';
    const seen = await new Promise<string | undefined>((resolve) =>
      enterRequestContext(req, {} as ServerResponse, () => {
        setTimeout(() => resolve(currentRequestContext()?.requestId), 1);
      }),
    );
    expect(seen).toBe('abc');
    expect(currentRequestContext()).toBeUndefined();
  });

  it('reports the time left before the deadline', () => {
    expect(remainingTimeMs()).toBe(Infinity);
    const left = runInRequestContext({ startedAt: performance.now(), deadlineAt: performance.now() + 1000 }, remainingTimeMs);
    expect(left).toBeGreaterThan(900);
    expect(left).toBeLessThanOrEqual(1000);
  });

  it("gives the client address: the peer without X-Forwarded-For, else Express's req.ip (trusted proxies), once per request", () => {
    const direct = { headers: {}, socket: { remoteAddress: '10.0.0.1' }, ip: 'never read' } as unknown as IncomingMessage;
    expect(clientIpOf(direct)).toBe('10.0.0.1');
    let reads = 0;
    const proxied = {
      headers: { 'x-forwarded-for': '203.0.113.7' },
      socket: { remoteAddress: '127.0.0.1' },
      get ip() {
        reads++;
        return '203.0.113.7';
      },
    } as unknown as IncomingMessage;
    expect(clientIpOf(proxied)).toBe('203.0.113.7');
    expect(clientIpOf(proxied)).toBe('203.0.113.7');
    expect(reads).toBe(1);
  });
});
