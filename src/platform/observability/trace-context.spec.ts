import { runInRequestContext } from '../request-context/request-context';
import { acceptTraceparent, acceptTracestate, outboundTraceHeaders, traceIdOf } from './trace-context';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe(acceptTraceparent.name, () => {
  it('accepts a valid version-00 traceparent as is', () => {
    expect(acceptTraceparent(VALID)).toBe(VALID);
    expect(traceIdOf(VALID)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('accepts a future version and propagates it as version 00 without the extra fields', () => {
    expect(acceptTraceparent('cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-ever')).toBe(VALID);
  });

  it.each([
    ['uppercase hex', VALID.toUpperCase()],
    ['version ff', VALID.replace(/^00/, 'ff')],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['an all-zero parent id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`],
    ['extra fields on version 00', `${VALID}-x`],
    ['a short trace id', '00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01'],
    ['garbage', 'hello'],
    ['a repeated header', [VALID, VALID]],
  ])('ignores %s', (_what, header) => {
    expect(acceptTraceparent(header)).toBeUndefined();
  });
});

describe(acceptTracestate.name, () => {
  it('keeps a bounded printable tracestate and drops anything else', () => {
    expect(acceptTracestate('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7')).toBe('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
    expect(acceptTracestate('x'.repeat(513))).toBeUndefined();
    expect(acceptTracestate('a=\u0001')).toBeUndefined();
  });
});

describe(outboundTraceHeaders.name, () => {
  it('is empty outside a request', () => {
    expect(outboundTraceHeaders()).toEqual({});
  });

  it('forwards the request id and the incoming trace context of the current request', () => {
    const headers = runInRequestContext({ startedAt: 0, requestId: 'r-1', traceparent: VALID, tracestate: 'a=b' }, outboundTraceHeaders);
    expect(headers).toEqual({ 'x-request-id': 'r-1', traceparent: VALID, tracestate: 'a=b' });
  });

  it('sends only the request id when the request came without a trace', () => {
    expect(runInRequestContext({ startedAt: 0, requestId: 'r-2' }, outboundTraceHeaders)).toEqual({ 'x-request-id': 'r-2' });
  });
});
