import { Writable } from 'node:stream';
import { runInRequestContext } from '../request-context/request-context';
import { type RequestLine, requestLineWriter } from './request-line';
import { createRootLogger } from './root-logger.factory';
import { traceIdOf } from './trace-context';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      callback();
    },
  });
  return { logger: createRootLogger({ level: 'info', destination }), lines };
}

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** Everything but the time, which differs by the milliseconds between the two writes. */
function withoutTime(line: string): Record<string, unknown> {
  const { time, ...rest } = JSON.parse(line) as Record<string, unknown>;
  expect(time).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/));
  return rest;
}

describe(requestLineWriter.name, () => {
  const cases: Array<[string, RequestLine, 'info' | 'warn']> = [
    [
      'a plain request',
      {
        requestId: 'r-1',
        traceId: undefined,
        method: 'GET',
        route: '/api/v1/users/:id',
        path: '/api/v1/users/1',
        status: 200,
        durationMs: 3.2,
        ip: '127.0.0.1',
        userAgent: 'wrk',
      },
      'info',
    ],
    [
      'a traced 5xx',
      {
        requestId: 'r-2',
        traceId: traceIdOf(TRACEPARENT),
        method: 'POST',
        route: 'unmatched',
        path: '/x',
        status: 503,
        durationMs: 0.1,
        ip: '::1',
        userAgent: undefined,
      },
      'warn',
    ],
    [
      'hostile strings',
      {
        requestId: 'r-3',
        traceId: undefined,
        method: 'GET',
        route: 'unmatched',
        path: '/a"b\\c\u0000\u2028é',
        status: 404,
        durationMs: 12,
        ip: undefined,
        userAgent: '"><script>\n',
      },
      'info',
    ],
    [
      'a password in the path',
      {
        requestId: 'r-4',
        traceId: undefined,
        method: 'GET',
        route: 'unmatched',
        path: '/go/postgres://app:hunter2@db/x',
        status: 404,
        durationMs: 1,
        ip: '10.0.0.1',
        userAgent: 'curl',
      },
      'info',
    ],
  ];

  it.each(cases)('writes what pino writes for the same fields: %s', (_name, line, level) => {
    const viaPino = capture();
    const { traceId, ...fields } = line;
    // pino's way: the mixin adds requestId/traceId from the request context, the fields come as an object.
    runInRequestContext({ startedAt: 0, requestId: line.requestId, ...(traceId ? { traceparent: TRACEPARENT } : {}) }, () =>
      viaPino.logger[level](fields, 'request completed'),
    );
    const direct = capture();
    requestLineWriter(direct.logger)(level, line);
    expect(direct.lines).toHaveLength(1);
    expect(withoutTime(direct.lines[0] ?? '')).toEqual(withoutTime(viaPino.lines[0] ?? ''));
    expect(direct.lines[0]).not.toContain('hunter2');
  });
});
