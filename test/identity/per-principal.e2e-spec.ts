import request from 'supertest';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { createApiKey, LocalIdentityProvider } from '../utils/identity';

const USERS = '/api/v1/users';

describe('the principal keys rate limits and idempotency (two callers behind one IP)', () => {
  let idp: LocalIdentityProvider;
  let t: TestApp;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    idp = await LocalIdentityProvider.start();
    t = await createTestApp(idp.env({ RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '3' }));
    alice = (await createApiKey(t.database.url, 'alice', ['users:read', 'users:write'])).key;
    bob = (await createApiKey(t.database.url, 'bob', ['users:read', 'users:write'])).key;
  });

  afterAll(async () => {
    await t?.close();
    await idp?.stop();
  });

  it('gives each principal its own bucket: one caller spending its burst leaves the other untouched', async () => {
    const aliceStatuses: number[] = [];
    for (let i = 0; i < 4; i++) aliceStatuses.push((await request(t.server).get(USERS).set('X-API-Key', alice)).status);
    expect(aliceStatuses).toEqual([200, 200, 200, 429]);
    const asBob = await request(t.server).get(USERS).set('X-API-Key', bob);
    expect(asBob.status).toBe(200);
    expect(asBob.headers['ratelimit']).toMatch(/"default";r=2;/);
    // A JWT principal is a third caller with its own bucket, also from 127.0.0.1.
    expect(
      (
        await request(t.server)
          .get(USERS)
          .set('Authorization', `Bearer ${await idp.token({ sub: 'carol' })}`)
      ).status,
    ).toBe(200);
  });
});

describe('Idempotency-Key records are scoped by principal', () => {
  let idp: LocalIdentityProvider;
  let t: TestApp;
  let bob: string;

  beforeAll(async () => {
    idp = await LocalIdentityProvider.start();
    t = await createTestApp(idp.env());
    bob = (await createApiKey(t.database.url, 'bob', ['users:read', 'users:write'])).key;
  });

  afterAll(async () => {
    await t?.close();
    await idp?.stop();
  });

  it('scopes Idempotency-Key records by principal: the same key from another caller never replays the first response', async () => {
    const key = 'shared-idempotency-key-1';
    const first = await request(t.server)
      .post(USERS)
      .set('X-API-Key', bob)
      .set('Idempotency-Key', key)
      .send({ email: 'bob@example.com', name: 'Bob' });
    expect(first.status).toBe(201);
    const other = await request(t.server)
      .post(USERS)
      .set('Authorization', `Bearer ${await idp.token({ sub: 'dave' })}`)
      .set('Idempotency-Key', key)
      .send({ email: 'dave@example.com', name: 'Dave' });
    expect(other.status).toBe(201);
    expect(other.headers['idempotency-replayed']).toBeUndefined();
    expect(other.body.id).not.toBe(first.body.id);
    const replay = await request(t.server)
      .post(USERS)
      .set('X-API-Key', bob)
      .set('Idempotency-Key', key)
      .send({ email: 'bob@example.com', name: 'Bob' });
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(replay.body.id).toBe(first.body.id);
  });
});
