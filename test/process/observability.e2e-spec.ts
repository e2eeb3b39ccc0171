import { Client } from 'pg';
import { startAppProcess } from '../utils/app-process';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';

type LogLine = Record<string, unknown>;

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('structured logs of node dist/main.js (real process)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('writes one JSON line per request, and carries the request id into every log line of the request', async () => {
    // A password the logs must never show: the test server's own, or one a trust-auth server ignores.
    const url = new URL(db.url);
    if (!url.password) url.password = 'not-for-logs-7f3a';
    const password = url.password;
    const app = await startAppProcess({
      DATABASE_URL: url.toString(),
      DB_STATEMENT_TIMEOUT_MS: '500',
      LOG_LEVEL: 'debug',
      HTTP_CONCURRENCY_LIMIT: '2',
    });
    let output: string;
    let generatedId: string | null;
    try {
      await app.waitFor('/api/v1/users', 200);
      const ok = await fetch(`${app.baseUrl}/api/v1/users?limit=5`, {
        headers: { 'x-request-id': 'proc-ok-1', traceparent: TRACEPARENT, authorization: 'Bearer tok-s3cret', cookie: 'sid=cookie-s3cret' },
      });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-request-id')).toBe('proc-ok-1');
      // Writes are asynchronous and batched, yet a lone line shows within the flush interval (200 ms).
      expect(await app.waitForOutput('"requestId":"proc-ok-1"', 2000)).toBeLessThan(2000);

      // A 503 from the database (statement timeout behind a lock): the exception filter's log of it (debug:
      // an expected refusal), a Nest Logger call deep in the request, carries the same id as the request line.
      const locker = new Client({ connectionString: db.url });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
        const failed = fetch(`${app.baseUrl}/api/v1/users`, { headers: { 'x-request-id': 'proc-503-1' } });
        const second = fetch(`${app.baseUrl}/api/v1/users`, { headers: { 'x-request-id': 'proc-503-2' } });
        await new Promise((resolve) => setTimeout(resolve, 150));
        // Two requests in flight = HTTP_CONCURRENCY_LIMIT: a third is shed, twice.
        for (const id of ['proc-shed-1', 'proc-shed-2']) {
          const shed = await fetch(`${app.baseUrl}/api/v1/users`, { headers: { 'x-request-id': id } });
          expect(shed.status).toBe(503);
          expect(((await shed.json()) as { type: string }).type).toBe('urn:ballast:problem:concurrency-limit');
        }
        expect((await failed).status).toBe(503);
        expect((await second).status).toBe(503);
      } finally {
        await locker.query('ROLLBACK');
        await locker.end();
      }
      const unknown = await fetch(`${app.baseUrl}/wp-login.php?token=query-s3cret`);
      expect(unknown.status).toBe(404);
      generatedId = unknown.headers.get('x-request-id');
      await app.waitForOutput('"path":"/wp-login.php"', 3000);
    } finally {
      expect(await app.stop('SIGTERM')).toBe(0);
      output = app.output();
    }

    const lines = output
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogLine);
    expect(lines.length).toBeGreaterThan(5);
    // Startup logs from `new Logger('Database')` are pino JSON too.
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'info', context: 'Database', msg: expect.stringMatching(/database ready/) }),
    );

    const ok = lines.filter((l) => l['requestId'] === 'proc-ok-1');
    expect(ok).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'request completed',
        method: 'GET',
        route: '/api/v1/users',
        path: '/api/v1/users',
        status: 200,
        durationMs: expect.any(Number),
        ip: '127.0.0.1',
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      }),
    ]);

    const failed = lines.filter((l) => l['requestId'] === 'proc-503-1');
    expect(failed).toEqual([
      expect.objectContaining({ level: 'debug', context: 'Errors', msg: expect.stringMatching(/database-timeout.*statement timeout/) }),
      expect.objectContaining({ level: 'warn', msg: 'request completed', route: '/api/v1/users', status: 503 }),
    ]);

    // Shed requests get no line of their own: one warn line says load is being shed (at most one per 10 s).
    expect(lines.filter((l) => String(l['requestId']).startsWith('proc-shed'))).toEqual([]);
    expect(lines.filter((l) => l['context'] === 'Admission')).toEqual([
      expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/^shedding load: 2 requests in flight/) }),
    ]);

    // A generated id is logged as well; the query string is not.
    expect(generatedId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toContainEqual(
      expect.objectContaining({ requestId: generatedId, msg: 'request completed', route: 'unmatched', path: '/wp-login.php', status: 404 }),
    );
    expect(lines.filter((l) => l['msg'] === 'request completed' && typeof l['requestId'] !== 'string')).toEqual([]);

    for (const secret of ['tok-s3cret', 'cookie-s3cret', 'query-s3cret', `:${password}@`]) expect(output).not.toContain(secret);
  }, 60_000);
});
