import { Writable } from 'node:stream';
import type { LevelWithSilent } from 'pino';
import { runInRequestContext } from '../request-context/request-context';
import { cachedIsoTime, createRootLogger, scrubUrlCredentials } from './root-logger.factory';

function capture(level: LevelWithSilent = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: createRootLogger({ level, destination }), lines };
}

describe(createRootLogger.name, () => {
  it('writes JSON lines with a textual level and an ISO time', () => {
    const { logger, lines } = capture();
    logger.info({ a: 1 }, 'hello');
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', msg: 'hello', a: 1, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }),
    ]);
  });

  it('honours the level', () => {
    const { logger, lines } = capture('warn');
    logger.info('hidden');
    logger.warn('shown');
    expect(lines.map((l) => l['msg'])).toEqual(['shown']);
  });

  it('adds the request id and trace id of the current request to every line', () => {
    const { logger, lines } = capture();
    const context = { startedAt: 0, requestId: 'req-7', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
    runInRequestContext(context, () => logger.info('inside'));
    logger.info('outside');
    expect(lines[0]).toMatchObject({ msg: 'inside', requestId: 'req-7', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(lines[1]).not.toHaveProperty('requestId');
  });

  it('redacts authorization, cookies and api keys wherever headers are logged', () => {
    const { logger, lines } = capture();
    logger.info({
      req: { headers: { authorization: 'Bearer s3cret', cookie: 'sid=s3cret', 'x-api-key': 's3cret', accept: 'application/json' } },
      res: { headers: { 'set-cookie': 'sid=s3cret' } },
      headers: { authorization: 'Basic s3cret' },
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('s3cret');
    expect(lines[0]).toMatchObject({ req: { headers: { authorization: '[Redacted]', accept: 'application/json' } } });
  });

  it('never writes the password of a connection URL, even inside an error message', () => {
    const { logger, lines } = capture();
    logger.error(new Error('connect to postgres://app:hunter2@db:5432/x failed'), 'boom');
    logger.warn('redis at rediss://:p%40ss@cache:6380 is down');
    const text = JSON.stringify(lines);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('p%40ss');
    expect(text).toContain('postgres://app:[Redacted]@db:5432/x');
  });
});

describe(cachedIsoTime.name, () => {
  it('is the current time, re-formatted when the millisecond changes', async () => {
    const first = cachedIsoTime();
    expect(first).toBe(`,"time":"${new Date(Date.parse(JSON.parse(`{${first.slice(1)}}`).time)).toISOString()}"`);
    expect(Math.abs(Date.parse(JSON.parse(`{${first.slice(1)}}`).time) - Date.now())).toBeLessThan(50);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(cachedIsoTime()).not.toBe(first);
  });

  it('equals toISOString for every millisecond, across second, minute and year boundaries', () => {
    const now = jest.spyOn(Date, 'now');
    try {
      const starts = [Date.UTC(2026, 11, 31, 23, 59, 58, 990), Date.UTC(2027, 0, 1, 0, 0, 0, 0), 0];
      for (const start of starts) {
        for (const step of [0, 1, 7, 10, 99, 100, 999, 1000, 1001, 2013]) {
          const t = start + step;
          now.mockReturnValue(t);
          expect(cachedIsoTime()).toBe(`,"time":"${new Date(t).toISOString()}"`);
        }
      }
    } finally {
      now.mockRestore();
    }
  });
});

describe(scrubUrlCredentials.name, () => {
  it('leaves lines without credentials untouched', () => {
    const line = '{"msg":"GET http://example.com/a:b@c"}';
    expect(scrubUrlCredentials(line)).toBe(line);
    expect(scrubUrlCredentials('{"url":"postgres://user@db/x"}')).toBe('{"url":"postgres://user@db/x"}');
  });
});
