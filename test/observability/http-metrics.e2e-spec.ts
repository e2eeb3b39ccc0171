import { Controller, Get, HttpException, HttpStatus, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import request from 'supertest';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { scrape, seriesKeys, valueOf } from '../utils/metrics-text';

/** Test-only routes for statuses the users API cannot produce on this branch. */
@ApiExcludeController() // test-only: not part of the API document
@Controller('test-only')
class StatusTestController {
  @Get('rate-limited')
  rateLimited(): never {
    // What @nestjs/throttler's ThrottlerException is: an HttpException with 429.
    throw new HttpException('Too Many Requests', HttpStatus.TOO_MANY_REQUESTS);
  }

  @Get('slow')
  async slow(): Promise<{ ok: true }> {
    await new Promise((resolve) => setTimeout(resolve, 400));
    return { ok: true };
  }
}

@Module({ controllers: [StatusTestController] })
class StatusTestModule {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('HTTP telemetry (e2e, real PostgreSQL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(
      { DB_POOL_MAX: '3', DB_POOL_MIN: '1', DB_STATEMENT_TIMEOUT_MS: '400', BODY_LIMIT_BYTES: '1024', LOG_LEVEL: 'fatal' },
      { extraImports: [StatusTestModule] },
    );
    // A real port: some tests drive raw sockets (client disconnects, keep-alive floods).
    await t.app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Runs `fn` while another session holds an exclusive lock on the users table. */
  async function withUsersTableLocked<T>(fn: () => Promise<T>): Promise<T> {
    const locker = new Client({ connectionString: t.database.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      return await fn();
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
  }

  describe('request id', () => {
    it('echoes a sane incoming X-Request-Id in the response and the problem body', async () => {
      const res = await request(t.server).get('/api/v1/users/not-a-uuid').set('X-Request-Id', 'client-id_42.a:b');
      expect(res.status).toBe(400);
      expect(res.headers['x-request-id']).toBe('client-id_42.a:b');
      expect(res.body.requestId).toBe('client-id_42.a:b');
    });

    it('generates a UUID when the header is missing, too long or carries unsafe characters', async () => {
      for (const header of [undefined, 'x'.repeat(129), 'has space', 'quote"d', 'semi;colon', '']) {
        const req = request(t.server).get('/api/v1/users');
        const res = await (header === undefined ? req : req.set('X-Request-Id', header));
        expect(res.status).toBe(200);
        expect(res.headers['x-request-id']).toMatch(UUID);
      }
    });

    it('gives every request its own id', async () => {
      const ids = await Promise.all(
        Array.from({ length: 5 }, () =>
          request(t.server)
            .get('/api/v1/users')
            .then((r) => r.headers['x-request-id']),
        ),
      );
      expect(new Set(ids).size).toBe(5);
    });

    it('carries the id on responses refused before routing (415)', async () => {
      const res = await request(t.server).post('/api/v1/users').set('Content-Type', 'text/plain').set('X-Request-Id', 'edge-1').send('x');
      expect(res.status).toBe(415);
      expect(res.headers['x-request-id']).toBe('edge-1');
      expect(res.body.requestId).toBe('edge-1');
    });
  });

  describe('RED metrics', () => {
    it('records every kind of answer by route template and the status the client got', async () => {
      const before = await scrape(t.server);
      const count = (route: string, status: string, method = 'GET') =>
        valueOf(before, 'http_requests_total', { method, route, status_code: status }) ?? 0;
      const expected: Array<[string, string, string, number]> = [];
      const expect1 = (method: string, route: string, status: string) => {
        const seen = expected.find(([m, r, s]) => m === method && r === route && s === status);
        if (seen) seen[3]++;
        else expected.push([method, route, status, count(route, status, method) + 1]);
      };

      await request(t.server).get('/api/v1/users').expect(200);
      expect1('GET', '/api/v1/users', '200');
      const created = await request(t.server).post('/api/v1/users').send({ email: 'red@example.com', name: 'Red' }).expect(201);
      expect1('POST', '/api/v1/users', '201');
      await request(t.server).get(`/api/v1/users/${created.body.id}`).expect(200);
      expect1('GET', '/api/v1/users/:id', '200');
      await request(t.server).post('/api/v1/users').send({ email: 'nope' }).expect(400);
      expect1('POST', '/api/v1/users', '400');
      await request(t.server).get('/api/v1/users/01939e6a-0000-7000-8000-000000000000').expect(404);
      expect1('GET', '/api/v1/users/:id', '404');
      await request(t.server).post('/api/v1/users').send({ email: 'red@example.com', name: 'Again' }).expect(409);
      expect1('POST', '/api/v1/users', '409');
      await request(t.server).get('/test-only/rate-limited').expect(429);
      expect1('GET', '/test-only/rate-limited', '429');
      await withUsersTableLocked(() => request(t.server).get('/api/v1/users').expect(503));
      expect1('GET', '/api/v1/users', '503');
      await request(t.server).get('/no/such/route').expect(404);
      expect1('GET', 'unmatched', '404');
      // Refused at the edge, before the router ran: they keep the template of the route they were for.
      await request(t.server)
        .post('/api/v1/users')
        .send({ email: 'big@example.com', name: 'x'.repeat(2000) })
        .expect(413);
      expect1('POST', '/api/v1/users', '413');
      await request(t.server).post('/api/v1/users').set('Content-Type', 'text/plain').send('x').expect(415);
      expect1('POST', '/api/v1/users', '415');
      await request(t.server).post('/api/v1/users').set('Content-Type', 'application/json').send('{"email":').expect(400);
      expect1('POST', '/api/v1/users', '400');
      // ...and a refused path that no route has is still unmatched.
      await request(t.server).post('/no/such/route').set('Content-Type', 'text/plain').send('x').expect(415);
      expect1('POST', 'unmatched', '415');

      const after = await scrape(t.server);
      for (const [method, route, status, total] of expected) {
        const labels = { method, route, status_code: status };
        expect({ ...labels, total: valueOf(after, 'http_requests_total', labels) }).toEqual({ ...labels, total });
        expect(valueOf(after, 'http_request_duration_seconds_count', labels)).toBe(total);
        expect(valueOf(after, 'http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(total);
      }
      // No raw path ever becomes a label value.
      const routes = new Set(
        after
          .filter((s) => s.name.startsWith('http_request'))
          .map((s) => s.labels['route'])
          .filter(Boolean),
      );
      expect([...routes].every((route) => route === 'unmatched' || route === '/metrics' || !/[0-9a-f]{8}-/.test(route))).toBe(true);
    });

    it('uses the documented histogram buckets, up to the 30 s request deadline', async () => {
      await request(t.server).get('/api/v1/users').expect(200);
      const samples = await scrape(t.server);
      const les = samples
        .filter(
          (s) =>
            s.name === 'http_request_duration_seconds_bucket' && s.labels['route'] === '/api/v1/users' && s.labels['status_code'] === '200',
        )
        .map((s) => s.labels['le']);
      expect(les).toEqual(['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '30', '+Inf']);
    });

    it('records a client that disconnects before the answer as 499, and the in-flight gauge returns to its level', async () => {
      const before = await scrape(t.server);
      const labels = { method: 'GET', route: '/test-only/slow', status_code: '499' };
      const inFlightBefore = valueOf(before, 'http_requests_in_flight') ?? 0;
      const { port } = t.server.address() as AddressInfo;
      await new Promise<void>((resolve) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/test-only/slow' });
        req.on('error', () => resolve());
        req.end();
        setTimeout(() => req.destroy(), 100);
      });
      await new Promise((resolve) => setTimeout(resolve, 600));
      const after = await scrape(t.server);
      expect(valueOf(after, 'http_requests_total', labels)).toBe((valueOf(before, 'http_requests_total', labels) ?? 0) + 1);
      // The scrape itself is in flight while it is collected.
      expect(valueOf(after, 'http_requests_in_flight')).toBe(inFlightBefore);
    });

    it('keeps the series set fixed while 10,000 requests hit random unknown paths', async () => {
      await request(t.server)
        .get(`/${randomBytes(4).toString('hex')}`)
        .expect(404);
      await request(t.server)
        .post(`/${randomBytes(4).toString('hex')}`)
        .expect(404);
      await request(t.server)
        .delete(`/${randomBytes(4).toString('hex')}`)
        .expect(404);
      const before = seriesKeys(await scrape(t.server), 'http_');
      const { port } = t.server.address() as AddressInfo;
      const agent = new Agent({ keepAlive: true, maxSockets: 16 });
      const methods = ['GET', 'POST', 'DELETE'];
      let sent = 0;
      let notFound = 0;
      const worker = async () => {
        while (sent < 10_000) {
          const i = sent++;
          const path = `/${randomBytes(6).toString('hex')}/${i}?q=${randomBytes(3).toString('hex')}`;
          const status = await new Promise<number>((resolve, reject) => {
            const req = httpRequest({ host: '127.0.0.1', port, path, method: methods[i % 3], agent }, (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            });
            req.on('error', reject);
            req.end();
          });
          if (status === 404) notFound++;
        }
      };
      try {
        await Promise.all(Array.from({ length: 16 }, worker));
      } finally {
        agent.destroy();
      }
      expect(notFound).toBe(10_000);
      const samples = await scrape(t.server);
      expect(seriesKeys(samples, 'http_')).toEqual(before);
      process.stdout.write(
        `[metrics] after 10,000 random unknown paths: ${samples.length} samples on /metrics, ${before.length} of them http_*\n`,
      );
    }, 120_000);
  });

  describe('database metrics', () => {
    it('times queries through TypeORM by outcome, timeouts included', async () => {
      const before = await scrape(t.server);
      const ok = valueOf(before, 'db_query_duration_seconds_count', { outcome: 'ok' }) ?? 0;
      const timeout = valueOf(before, 'db_query_duration_seconds_count', { outcome: 'timeout' }) ?? 0;
      await request(t.server).get('/api/v1/users').expect(200);
      await withUsersTableLocked(() => request(t.server).get('/api/v1/users').expect(503));
      const after = await scrape(t.server);
      expect(valueOf(after, 'db_query_duration_seconds_count', { outcome: 'ok' })).toBeGreaterThan(ok);
      expect(valueOf(after, 'db_query_duration_seconds_count', { outcome: 'timeout' })).toBe(timeout + 1);
      // The timed-out query waited for the lock until statement_timeout (400 ms) cancelled it.
      const timeoutSum =
        (valueOf(after, 'db_query_duration_seconds_sum', { outcome: 'timeout' }) ?? 0) -
        (valueOf(before, 'db_query_duration_seconds_sum', { outcome: 'timeout' }) ?? 0);
      expect(timeoutSum).toBeGreaterThan(0.3);
    });

    it('counts a duplicate email (unique violation, SQLSTATE 23505) as outcome constraint, never as error', async () => {
      const count = (samples: Awaited<ReturnType<typeof scrape>>, outcome: string) =>
        valueOf(samples, 'db_query_duration_seconds_count', { outcome }) ?? 0;
      const before = await scrape(t.server);
      await request(t.server).post('/api/v1/users').send({ email: 'twice@example.com', name: 'First' }).expect(201);
      for (let i = 0; i < 3; i++)
        await request(t.server).post('/api/v1/users').send({ email: 'TWICE@example.com', name: 'Again' }).expect(409);
      const after = await scrape(t.server);
      expect({
        constraint: count(after, 'constraint') - count(before, 'constraint'),
        error: count(after, 'error') - count(before, 'error'),
      }).toEqual({ constraint: 3, error: 0 });
    });

    it('reads the pool gauges from the live pool: checked-out connections and waiting callers', async () => {
      const { DataSource } = await import('typeorm');
      const dataSource = t.app.get(DataSource);
      const runners = Array.from({ length: 3 }, () => dataSource.createQueryRunner());
      try {
        await Promise.all(runners.map((runner) => runner.connect()));
        const held = await scrape(t.server);
        expect(valueOf(held, 'db_pool_connections', { state: 'total' })).toBe(3);
        expect(valueOf(held, 'db_pool_connections', { state: 'idle' })).toBe(0);
        expect(valueOf(held, 'db_pool_connections', { state: 'waiting' })).toBe(0);

        const waiting = request(t.server).get('/api/v1/users');
        const pending = waiting.then((res) => res.status);
        let waitingCount = 0;
        for (let i = 0; i < 50 && waitingCount === 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          waitingCount = valueOf(await scrape(t.server), 'db_pool_connections', { state: 'waiting' }) ?? 0;
        }
        expect(waitingCount).toBe(1);
        await runners[0]?.release();
        expect(await pending).toBe(200);
      } finally {
        await Promise.all(runners.map((runner) => (runner.isReleased ? Promise.resolve() : runner.release())));
      }
      const released = await scrape(t.server);
      expect(valueOf(released, 'db_pool_connections', { state: 'idle' })).toBe(3);
      expect(valueOf(released, 'db_pool_connections', { state: 'waiting' })).toBe(0);
    });
  });
});

describe('HTTP telemetry of rate-limited requests (e2e, real PostgreSQL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '2', LOG_LEVEL: 'fatal' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('labels a 429 from the rate limiter with the route template it was refused on', async () => {
    const labels = { method: 'GET', route: '/api/v1/users/:id', status_code: '429' };
    const before = valueOf(await scrape(t.server), 'http_requests_total', labels) ?? 0;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await request(t.server).get('/api/v1/users/01939e6a-0000-7000-8000-000000000000')).status);
    const limited = statuses.filter((status) => status === 429).length;
    expect(limited).toBeGreaterThanOrEqual(1);
    expect(valueOf(await scrape(t.server), 'http_requests_total', labels)).toBe(before + limited);
  });
});
