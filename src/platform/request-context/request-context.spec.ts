import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  abortReasonOf,
  abortRequest,
  clientIpOf,
  contextOf,
  currentRequestContext,
  enterRequestContext,
  onRequestAbort,
  remainingTimeMs,
  runInRequestContext,
} from './request-context';

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

  it("aborts a served request's work: listeners once, the reason kept, a signal read later starts aborted", () => {
    const context = contextOf({} as IncomingMessage);
    const seen: unknown[] = [];
    onRequestAbort(context, (reason) => seen.push(reason));
    const removed = onRequestAbort(context, () => seen.push('removed'));
    removed();
    expect(abortReasonOf(context)).toBeUndefined();
    const deadline = new Error('deadline');
    abortRequest(context, deadline);
    abortRequest(context, new Error('second'));
    expect(seen).toEqual([deadline]);
    expect(abortReasonOf(context)).toBe(deadline);
    expect(context.signal?.aborted).toBe(true);
    expect(context.signal?.reason).toBe(deadline);
    // A listener added after the abort runs at once.
    onRequestAbort(context, (reason) => seen.push(reason));
    expect(seen).toEqual([deadline, deadline]);
  });

  it('aborts the signal read before the abort, and works on a plain context through its signal', () => {
    const context = contextOf({} as IncomingMessage);
    const signal = context.signal;
    expect(signal?.aborted).toBe(false);
    abortRequest(context, new Error('client gone'));
    expect(signal?.aborted).toBe(true);

    const controller = new AbortController();
    const plain = { startedAt: 0, signal: controller.signal };
    const seen: unknown[] = [];
    onRequestAbort(plain, (reason) => seen.push(reason));
    controller.abort(new Error('plain'));
    expect(seen).toEqual([controller.signal.reason]);
    expect(abortReasonOf(plain)).toBe(controller.signal.reason);
    expect(abortReasonOf({ startedAt: 0 })).toBeUndefined();
  });
});
