import request from 'supertest';
import { createTestApp, type TestApp } from './utils/create-test-app';
import { createApiKey } from './utils/identity';

describe('__Entities__ API (e2e, real PostgreSQL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates with 201, reads back with 200, and lists with a cursor', async () => {
    const created = await request(t.server).post('/api/v1/__entities__').send({ name: 'first' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'first', createdAt: expect.any(String) });
    expect((await request(t.server).get(`/api/v1/__entities__/${created.body.id}`)).body).toEqual(created.body);
    await request(t.server).post('/api/v1/__entities__').send({ name: 'second' }).expect(201);
    const page = await request(t.server).get('/api/v1/__entities__').query({ limit: 1 });
    expect(page.body.items).toHaveLength(1);
    const next = await request(t.server).get('/api/v1/__entities__').query({ limit: 1, cursor: page.body.nextCursor });
    expect(next.body.items[0].id).not.toBe(page.body.items[0].id);
  });

  it('answers 201 with Location, and the version as the ETag of GET', async () => {
    const created = await request(t.server).post('/api/v1/__entities__').send({ name: 'located' });
    expect(created.status).toBe(201);
    expect(created.headers['location']).toBe(`/api/v1/__entities__/${created.body.id}`);
    const read = await request(t.server).get(created.headers['location']);
    expect([read.status, read.body, read.headers['etag']]).toEqual([200, created.body, '"1"']);
    expect((await request(t.server).get(created.headers['location']).set('If-None-Match', '"1"')).status).toBe(304);
  });

  it('changes with PATCH under If-Match: 200 and the next ETag; 428 without it, 412 when stale, 400 for a bad body', async () => {
    const path = (await request(t.server).post('/api/v1/__entities__').send({ name: 'before' })).headers['location'];
    const etag = (await request(t.server).get(path)).headers['etag'];
    const missing = await request(t.server).patch(path).send({ name: 'after' });
    expect([missing.status, missing.headers['content-type']]).toEqual([428, expect.stringMatching(/^application\/problem\+json/)]);
    const patched = await request(t.server).patch(path).set('If-Match', etag).send({ name: 'after' });
    expect([patched.status, patched.body.name, patched.headers['etag']]).toEqual([200, 'after', '"2"']);
    expect((await request(t.server).patch(path).set('If-Match', etag).send({ name: 'stale' })).status).toBe(412);
    const wrongType = await request(t.server).patch(path).set('If-Match', '"2"').send({ name: 42 });
    expect([wrongType.status, wrongType.body.errors]).toEqual([400, [{ field: 'name', message: 'name must be a string' }]]);
    expect((await request(t.server).patch(path).set('If-Match', '"2"').send({ name: null })).status).toBe(400);
    expect((await request(t.server).patch(path).set('If-Match', '"2"').send({ extra: true })).status).toBe(400);
    expect((await request(t.server).get(path)).body.name).toBe('after');
  });

  it('lets one of two concurrent PATCHes with the same ETag win: one 200, one 412', async () => {
    const path = (await request(t.server).post('/api/v1/__entities__').send({ name: 'raced' })).headers['location'];
    const both = await Promise.all(['a', 'b'].map((name) => request(t.server).patch(path).set('If-Match', '"1"').send({ name })));
    expect(both.map((res) => res.status).sort()).toEqual([200, 412]);
  });

  it('deletes with 204; the id is then a 404, for a second DELETE too; a stale If-Match on DELETE is a 412', async () => {
    const path = (await request(t.server).post('/api/v1/__entities__').send({ name: 'doomed' })).headers['location'];
    expect((await request(t.server).delete(path).set('If-Match', '"7"')).status).toBe(412);
    const deleted = await request(t.server).delete(path).set('If-Match', '"1"');
    expect([deleted.status, deleted.text]).toEqual([204, '']);
    expect((await request(t.server).get(path)).status).toBe(404);
    expect((await request(t.server).delete(path)).status).toBe(404);
  });

  it('answers problem+json 400 for bad input, 404 for an unknown id', async () => {
    const bad = await request(t.server).post('/api/v1/__entities__').send({ name: '', extra: true });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await request(t.server).get('/api/v1/__entities__/not-a-uuid')).status).toBe(400);
    const missing = await request(t.server).get('/api/v1/__entities__/01939e6a-0000-7000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('makes create safe to retry: the same Idempotency-Key replays the first 201, another body under it is a 422', async () => {
    const first = await request(t.server).post('/api/v1/__entities__').set('Idempotency-Key', 'create-once').send({ name: 'once' });
    expect(first.status).toBe(201);
    const again = await request(t.server).post('/api/v1/__entities__').set('Idempotency-Key', 'create-once').send({ name: 'once' });
    expect(again.status).toBe(201);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    const other = await request(t.server).post('/api/v1/__entities__').set('Idempotency-Key', 'create-once').send({ name: 'other' });
    expect(other.status).toBe(422);
  });

  it('is observed and documented by the platform: route templates in /metrics, operations in /docs-json', async () => {
    const metrics = (await request(t.server).get('/metrics')).text;
    expect(metrics).toContain('route="/api/v1/__entities__/:id"');
    // The feature's own counter: one more for each created.
    const created = (text: string) => Number(/^__table___created_total (\d+)$/m.exec(text)?.[1]);
    expect(created(metrics)).toBeGreaterThanOrEqual(2);
    await request(t.server).post('/api/v1/__entities__').send({ name: 'counted' }).expect(201);
    expect(created((await request(t.server).get('/metrics')).text)).toBe(created(metrics) + 1);
    const docs = (await request(t.server).get('/docs-json')).body;
    expect(Object.keys(docs.paths)).toEqual(expect.arrayContaining(['/api/v1/__entities__', '/api/v1/__entities__/{id}']));
    expect(Object.keys(docs.paths['/api/v1/__entities__'].post.responses)).toEqual(expect.arrayContaining(['201', '400', '409', '422', '429', '503', '504']));
    const item = docs.paths['/api/v1/__entities__/{id}'];
    expect(Object.keys(item.patch.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '412', '428']));
    expect(Object.keys(item.delete.responses)).toEqual(expect.arrayContaining(['204', '404', '412']));
  });

  it('contributes its own check to /health/ready', async () => { // @with-readiness
    const ready = await request(t.server).get('/health/ready'); // @with-readiness
    expect(ready.status).toBe(200); // @with-readiness
    expect(ready.body.info).toMatchObject({ database: { status: 'up' }, '__entities__': { status: 'up' } }); // @with-readiness
  }); // @with-readiness
});

describe('__Entities__ API with authentication on (API keys; docs/identity.md)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ AUTH_DISABLED: 'false' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('needs a credential, reads with __entities__:read, and writes only with __entities__:write', async () => {
    expect((await request(t.server).get('/api/v1/__entities__')).status).toBe(401);
    const reader = (await createApiKey(t.database.url, 'reader', ['__entities__:read'])).key;
    const writer = (await createApiKey(t.database.url, 'writer', ['__entities__:read', '__entities__:write'])).key;
    expect((await request(t.server).get('/api/v1/__entities__').set('X-API-Key', reader)).status).toBe(200);
    expect((await request(t.server).post('/api/v1/__entities__').set('X-API-Key', reader).send({ name: 'no' })).status).toBe(403);
    expect((await request(t.server).post('/api/v1/__entities__').set('X-API-Key', writer).send({ name: 'yes' })).status).toBe(201);
  });
});
