import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyThen, type EdgeHandler, edgeChain, parserReadsBody } from './edge-chain';

const req = (headers: Record<string, string> = {}) => ({ headers }) as unknown as IncomingMessage;
const res = {} as ServerResponse;

describe('edgeChain', () => {
  it('runs the handlers in order, then the outer next; an error skips the rest', () => {
    const seen: string[] = [];
    const step =
      (name: string, error?: Error): EdgeHandler =>
      (_req, _res, next) => {
        seen.push(name);
        next(error);
      };
    const done = jest.fn();
    edgeChain([step('a'), step('b'), step('c')])(req(), res, done);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(done).toHaveBeenCalledTimes(1);
    expect(done).toHaveBeenCalledWith();

    seen.length = 0;
    const failure = new Error('415');
    const failed = jest.fn();
    edgeChain([step('a'), step('b', failure), step('c')])(req(), res, failed);
    expect(seen).toEqual(['a', 'b']);
    expect(failed).toHaveBeenCalledWith(failure);
  });

  it('stops where a handler answers without calling next, and goes on when one calls next later', async () => {
    const done = jest.fn();
    edgeChain([(_q, _s, _next) => undefined, () => done('never')])(req(), res, done);
    expect(done).not.toHaveBeenCalled();
    const later = new Promise((resolve) => edgeChain([(_q, _s, next) => setTimeout(next, 1)])(req(), res, resolve));
    await expect(later).resolves.toBeUndefined();
  });
});

describe('bodyThen', () => {
  it("skips the parser without a body (type-is's rule) and leaves req.body undefined", () => {
    expect(parserReadsBody(req())).toBe(false);
    expect(parserReadsBody(req({ 'content-length': '0' }))).toBe(true);
    expect(parserReadsBody(req({ 'content-length': '12' }))).toBe(true);
    expect(parserReadsBody(req({ 'transfer-encoding': 'chunked' }))).toBe(true);
    const parser = jest.fn<void, Parameters<EdgeHandler>>((r, _s, next) => {
      (r as IncomingMessage & { body?: unknown }).body = { parsed: true };
      next();
    });
    const after = jest.fn<void, Parameters<EdgeHandler>>((_r, _s, next) => next());
    const done = jest.fn();
    const bodiless = req();
    bodyThen(parser, after)(bodiless, res, done);
    expect(parser).not.toHaveBeenCalled();
    expect('body' in bodiless && (bodiless as { body?: unknown }).body).toBeUndefined();
    expect(after).toHaveBeenCalledTimes(1);
    expect(done).toHaveBeenCalledTimes(1);

    const withBody = req({ 'content-length': '12' });
    bodyThen(parser, after)(withBody, res, done);
    expect(parser).toHaveBeenCalledTimes(1);
    expect((withBody as { body?: unknown }).body).toEqual({ parsed: true });
    expect(after).toHaveBeenCalledTimes(2);
  });

  it('hands a parser error to next and does not run what follows', () => {
    const failure = new Error('413');
    const after = jest.fn();
    const done = jest.fn();
    bodyThen((_r, _s, next) => next(failure), after)(req({ 'content-length': '99999' }), res, done);
    expect(after).not.toHaveBeenCalled();
    expect(done).toHaveBeenCalledWith(failure);
  });
});
