import request from 'supertest';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { metricValue } from './metrics';

const USERS = '/api/v1/users';

describe('Idempotency-Key on POST /api/v1/users (e2e, real PostgreSQL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function usersWith(email: string): Promise<number> {
    return Number((await t.query<{ n: string }>(`SELECT count(*) AS n FROM users WHERE lower(email) = lower($1)`, [email])).rows[0].n);
  }

  it('replays the stored 201 byte for byte with Idempotency-Replayed: true, without running the handler again', async () => {
    const body = { email: 'replay@example.com', name: 'Re' };
    const first = await request(t.server).post(USERS).set('Idempotency-Key', 'k-replay-1').send(body);
    expect(first.status).toBe(201);
    expect(first.headers['idempotency-replayed']).toBeUndefined();
    const again = await request(t.server).post(USERS).set('Idempotency-Key', 'k-replay-1').send(body);
    expect(again.status).toBe(201);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(await usersWith(body.email)).toBe(1);
    const row = (
      await t.query<{ state: string; response_status: number }>(
        `SELECT state, response_status FROM idempotency_keys WHERE key = 'k-replay-1'`,
      )
    ).rows;
    expect(row).toEqual([{ state: 'completed', response_status: 201 }]);
  });

  it('without a key behaves as before: a second identical POST is a 409 duplicate', async () => {
    const body = { email: 'nokey@example.com', name: 'N' };
    await request(t.server).post(USERS).send(body).expect(201);
    const second = await request(t.server).post(USERS).send(body);
    expect(second.status).toBe(409);
    expect(second.body.type).toBe('urn:ballast:problem:conflict');
  });

  it('answers 422 problem+json for the same key with a different body, and writes nothing', async () => {
    await request(t.server).post(USERS).set('Idempotency-Key', 'k-mismatch').send({ email: 'mm1@example.com', name: 'A' }).expect(201);
    const before = await metricValue(t.server, 'idempotency_requests_total', { outcome: 'mismatch' });
    const other = await request(t.server).post(USERS).set('Idempotency-Key', 'k-mismatch').send({ email: 'mm2@example.com', name: 'A' });
    expect(other.status).toBe(422);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(other.body).toMatchObject({ status: 422, type: 'urn:ballast:problem:idempotency-key-mismatch' });
    expect(await usersWith('mm2@example.com')).toBe(0);
    expect(await metricValue(t.server, 'idempotency_requests_total', { outcome: 'mismatch' })).toBe(before + 1);
  });

  it.each([
    ['longer than 255 characters', 'x'.repeat(256)],
    ['with a space', 'a b'],
    ['with a quote inside', 'a"b'],
    ['empty', ''],
  ])('answers 400 for a key %s', async (_what, key) => {
    const res = await request(t.server)
      .post(USERS)
      .set('Idempotency-Key', key)
      .send({ email: `bad${key.length}@example.com`, name: 'B' });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:ballast:problem:idempotency-key-invalid');
  });

  it('accepts a key of exactly 255 characters and a Structured Field string ("…")', async () => {
    await request(t.server).post(USERS).set('Idempotency-Key', 'y'.repeat(255)).send({ email: 'long@example.com', name: 'L' }).expect(201);
    const quoted = await request(t.server)
      .post(USERS)
      .set('Idempotency-Key', '"k-quoted"')
      .send({ email: 'quoted@example.com', name: 'Q' });
    expect(quoted.status).toBe(201);
    const bare = await request(t.server).post(USERS).set('Idempotency-Key', 'k-quoted').send({ email: 'quoted@example.com', name: 'Q' });
    expect(bare.headers['idempotency-replayed']).toBe('true');
  });

  it('stores a final 4xx (validation error) and replays it; does not store a 409 duplicate', async () => {
    const invalid = { email: 'not-an-email', name: 'V' };
    const first = await request(t.server).post(USERS).set('Idempotency-Key', 'k-invalid').send(invalid);
    expect(first.status).toBe(400);
    const again = await request(t.server).post(USERS).set('Idempotency-Key', 'k-invalid').send(invalid);
    expect(again.status).toBe(400);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(again.text).toBe(first.text);

    await request(t.server).post(USERS).send({ email: 'taken@example.com', name: 'T' }).expect(201);
    const dup = await request(t.server).post(USERS).set('Idempotency-Key', 'k-dup').send({ email: 'taken@example.com', name: 'T' });
    expect(dup.status).toBe(409);
    // Not stored: the claim was released before the 409 left, so the key is free (a retry runs again, live answer).
    expect((await t.query(`SELECT 1 FROM idempotency_keys WHERE key = 'k-dup'`)).rowCount).toBe(0);
    const retry = await request(t.server).post(USERS).set('Idempotency-Key', 'k-dup').send({ email: 'taken@example.com', name: 'T' });
    expect(retry.status).toBe(409);
    expect(retry.headers['idempotency-replayed']).toBeUndefined();
  });

  it('scopes keys to the client (the rate-limit client key: here the IP) and the route template', async () => {
    const body = { email: 'scope@example.com', name: 'S' };
    await request(t.server).post(USERS).set('Idempotency-Key', 'k-scope').send(body).expect(201);
    const row = (await t.query<{ scope: string }>(`SELECT scope FROM idempotency_keys WHERE key = 'k-scope'`)).rows[0];
    expect(row.scope).toBe('ip:127.0.0.1 POST /api/v1/users');
  });

  it('runs the handler once for 20 concurrent requests with one key: the rest get 409 or the replay, one row', async () => {
    const body = { email: 'concurrent@example.com', name: 'C' };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => request(t.server).post(USERS).set('Idempotency-Key', 'k-concurrent').send(body)),
    );
    const fresh = results.filter((r) => r.status === 201 && r.headers['idempotency-replayed'] === undefined);
    const replayed = results.filter((r) => r.status === 201 && r.headers['idempotency-replayed'] === 'true');
    const inProgress = results.filter((r) => r.status === 409);
    expect(fresh).toHaveLength(1);
    expect(replayed.length + inProgress.length).toBe(19);
    for (const r of inProgress) {
      expect(r.body.type).toBe('urn:ballast:problem:idempotency-key-in-progress');
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    for (const r of replayed) expect(r.text).toBe(fresh[0].text);
    expect(await usersWith(body.email)).toBe(1);
  });

  it('counts outcomes in idempotency_requests_total and times the store in idempotency_store_duration_seconds', async () => {
    const before = {
      first: await metricValue(t.server, 'idempotency_requests_total', { outcome: 'first' }),
      replayed: await metricValue(t.server, 'idempotency_requests_total', { outcome: 'replayed' }),
      claims: await metricValue(t.server, 'idempotency_store_duration_seconds_count', { operation: 'claim' }),
      completes: await metricValue(t.server, 'idempotency_store_duration_seconds_count', { operation: 'complete' }),
    };
    const body = { email: 'metrics@example.com', name: 'M' };
    await request(t.server).post(USERS).set('Idempotency-Key', 'k-metrics').send(body).expect(201);
    await request(t.server).post(USERS).set('Idempotency-Key', 'k-metrics').send(body).expect(201);
    await request(t.server).post(USERS).send({ email: 'metrics-nokey@example.com', name: 'M' }).expect(201); // not counted
    expect(await metricValue(t.server, 'idempotency_requests_total', { outcome: 'first' })).toBe(before.first + 1);
    expect(await metricValue(t.server, 'idempotency_requests_total', { outcome: 'replayed' })).toBe(before.replayed + 1);
    expect(await metricValue(t.server, 'idempotency_store_duration_seconds_count', { operation: 'claim' })).toBe(before.claims + 2);
    expect(await metricValue(t.server, 'idempotency_store_duration_seconds_count', { operation: 'complete' })).toBe(before.completes + 1);
  });

  it('documents the header and the 409/422 responses on the idempotent operation in OpenAPI', async () => {
    const doc = (await request(t.server).get('/docs-json').expect(200)).body;
    const post = doc.paths['/api/v1/users'].post;
    expect(post.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]));
    expect(post.responses['409'].description).toMatch(/email/);
    expect(post.responses['409'].description).toMatch(/Idempotency-Key/);
    expect(post.responses['422']).toBeDefined();
    expect(doc.paths['/api/v1/users'].get.parameters ?? []).not.toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key' })]),
    );
  });
});
