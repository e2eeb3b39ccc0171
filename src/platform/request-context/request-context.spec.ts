import type { IncomingMessage, ServerResponse } from 'node:http';
import { contextOf, currentRequestContext, enterRequestContext, remainingTimeMs, runInRequestContext } from './request-context';

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
});
