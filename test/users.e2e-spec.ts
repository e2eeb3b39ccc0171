import request from 'supertest';
import { createTestApp, type TestApp } from './utils/create-test-app';

const PROBLEM = /^application\/problem\+json/;

describe('Users API (e2e, real PostgreSQL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ BODY_LIMIT_BYTES: '1024' });
  });
  afterAll(async () => {
    await t?.close();
  });

  function expectProblem(res: request.Response, status: number): void {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({
      status,
      type: expect.stringMatching(/^urn:ballast:problem:/),
      title: expect.any(String),
      detail: expect.any(String),
    });
    const text = JSON.stringify(res.body);
    expect(text).not.toMatch(/\bat .+\.(js|ts):\d+|SELECT|INSERT|QueryFailedError|duplicate key|node_modules/i);
  }

  it('creates a user with 201 and a UUID id, and reads it back', async () => {
    const created = await request(t.server).post('/api/v1/users').send({ email: 'ada@example.com', name: 'Ada' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: 'ada@example.com',
      name: 'Ada',
      createdAt: expect.any(String),
    });
    const read = await request(t.server).get(`/api/v1/users/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it('tags a read with its version as a strong ETag and answers a matching If-None-Match with 304 and no body', async () => {
    const created = await request(t.server).post('/api/v1/users').send({ email: 'etag@example.com', name: 'Etag' });
    const first = await request(t.server).get(`/api/v1/users/${created.body.id}`);
    expect(first.status).toBe(200);
    expect(first.headers['etag']).toBe('"1"');
    const again = await request(t.server).get(`/api/v1/users/${created.body.id}`).set('If-None-Match', first.headers['etag']);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    const other = await request(t.server).get(`/api/v1/users/${created.body.id}`).set('If-None-Match', 'W/"0-nope"');
    expect(other.status).toBe(200);
  });

  it('counts created users in the feature metric users_created_total', async () => {
    const before = Number(/^users_created_total (\d+)/m.exec((await request(t.server).get('/metrics')).text)?.[1] ?? 0);
    await request(t.server).post('/api/v1/users').send({ email: 'counted@example.com', name: 'C' }).expect(201);
    await request(t.server).post('/api/v1/users').send({ email: 'COUNTED@example.com', name: 'C' }).expect(409);
    const after = Number(/^users_created_total (\d+)/m.exec((await request(t.server).get('/metrics')).text)?.[1]);
    expect(after).toBe(before + 1);
  });

  it('answers 409 for a duplicate email regardless of case', async () => {
    await request(t.server).post('/api/v1/users').send({ email: 'dup@example.com', name: 'One' }).expect(201);
    const res = await request(t.server).post('/api/v1/users').send({ email: 'DUP@Example.com', name: 'Two' });
    expectProblem(res, 409);
    expect(res.body.errors).toEqual([{ field: 'email', message: expect.any(String) }]);
  });

  it('lets exactly one of many concurrent creates with the same email succeed (unique index, no read-then-write)', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request(t.server)
          .post('/api/v1/users')
          .send({ email: 'race@example.com', name: `R${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
  });

  it('answers a user with profile null and profileStatus disabled when PROFILE_SERVICE_URL is not set', async () => {
    const created = await request(t.server).post('/api/v1/users').send({ email: 'noprofile@example.com', name: 'Solo' }).expect(201);
    const res = await request(t.server).get(`/api/v1/users/${created.body.id}/profile`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...created.body, profile: null, profileStatus: 'disabled' });
  });

  it('answers 404 problem+json for an unknown id', async () => {
    expectProblem(await request(t.server).get('/api/v1/users/01939e6a-0000-7000-8000-000000000000'), 404);
  });

  it('answers 400 for a non-UUID id', async () => {
    const res = await request(t.server).get('/api/v1/users/not-a-uuid');
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ field: 'id', message: expect.any(String) }]);
  });

  it('answers 400 for malformed JSON without echoing parser internals', async () => {
    const res = await request(t.server).post('/api/v1/users').set('Content-Type', 'application/json').send('{"email": "x@y.z",');
    expectProblem(res, 400);
    expect(res.body.detail).toBe('The request body is not valid JSON.');
  });

  it('answers 400 naming every invalid field', async () => {
    const res = await request(t.server).post('/api/v1/users').send({ email: 'not-an-email', name: '' });
    expectProblem(res, 400);
    const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field);
    expect(new Set(fields)).toEqual(new Set(['email', 'name']));
  });

  it('answers 400 for missing fields and wrong types', async () => {
    expectProblem(await request(t.server).post('/api/v1/users').send({}), 400);
    expectProblem(
      await request(t.server)
        .post('/api/v1/users')
        .send({ email: 42, name: ['x'] }),
      400,
    );
    expectProblem(await request(t.server).post('/api/v1/users').send([1, 2]), 400);
  });

  it('answers 400 for unknown fields instead of dropping them', async () => {
    const res = await request(t.server).post('/api/v1/users').send({ email: 'u@example.com', name: 'U', admin: true });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ field: 'admin', message: expect.stringContaining('should not exist') }]);
  });

  it('answers 413 for a body over BODY_LIMIT_BYTES', async () => {
    const res = await request(t.server)
      .post('/api/v1/users')
      .send({ email: 'big@example.com', name: 'x'.repeat(2000) });
    expectProblem(res, 413);
  });

  it('answers 415 for a non-JSON body', async () => {
    expectProblem(await request(t.server).post('/api/v1/users').set('Content-Type', 'text/plain').send('email=a@b.c'), 415);
    expectProblem(await request(t.server).post('/api/v1/users').type('form').send({ email: 'a@b.c', name: 'x' }), 415);
  });

  it('answers 404 problem+json for an unknown route', async () => {
    expectProblem(await request(t.server).get('/no/such/route'), 404);
  });

  describe('GET /api/v1/users pagination', () => {
    beforeAll(async () => {
      for (let i = 0; i < 25; i++)
        await request(t.server)
          .post('/api/v1/users')
          .send({ email: `page${i}@example.com`, name: `P${i}` })
          .expect(201);
    });

    it('walks every user exactly once with an opaque cursor', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: request.Response = await request(t.server)
          .get('/api/v1/users')
          .query(cursor ? { limit: 7, cursor } : { limit: 7 });
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(7);
        seen.push(...(res.body.items as Array<{ id: string }>).map((u) => u.id));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor && pages < 20);
      expect(new Set(seen).size).toBe(seen.length);
      const { rows } = await t.query<{ n: string }>('SELECT count(*)::text AS n FROM users');
      expect(seen.length).toBe(Number(rows[0]?.n));
    });

    it('defaults to 20 items per page', async () => {
      const res = await request(t.server).get('/api/v1/users');
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(20);
      expect(typeof res.body.nextCursor).toBe('string');
    });

    it.each([['limit=0'], ['limit=101'], ['limit=abc'], ['limit=1.5'], ['cursor=%24%24%24'], ['cursor=Zm9v'], ['unknown=1']])(
      'answers 400 for the bad query %s',
      async (query) => {
        expectProblem(await request(t.server).get(`/api/v1/users?${query}`), 400);
      },
    );
  });
});
