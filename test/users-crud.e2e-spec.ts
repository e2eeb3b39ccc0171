import request from 'supertest';
import { createTestApp, type TestApp } from './utils/create-test-app';

const PROBLEM = /^application\/problem\+json/;
/** Rounds of the lost-update race: two PATCHes with the same ETag, sent together. */
const RACE_ROUNDS = Number(process.env['USERS_RACE_ROUNDS'] ?? 100);

describe('Users API: update and delete with preconditions (e2e, real PostgreSQL)', () => {
  let t: TestApp;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Creates a user and returns its path and the ETag its GET sends. */
  async function newUser(): Promise<{ id: string; path: string; etag: string }> {
    seq += 1;
    const created = await request(t.server)
      .post('/api/v1/users')
      .send({ email: `crud-${seq}@example.com`, name: `User ${seq}` });
    expect(created.status).toBe(201);
    const path = `/api/v1/users/${created.body.id}`;
    const read = await request(t.server).get(path);
    return { id: created.body.id, path, etag: read.headers['etag'] };
  }

  function expectProblem(res: request.Response, status: number, type: string): void {
    expect([res.status, res.headers['content-type']]).toEqual([status, expect.stringMatching(PROBLEM)]);
    expect(res.body).toMatchObject({ status, type: `urn:ballast:problem:${type}` });
  }

  it('answers 201 with Location naming the created user, which GET reads back', async () => {
    const created = await request(t.server).post('/api/v1/users').send({ email: 'located@example.com', name: 'Located' });
    expect(created.status).toBe(201);
    expect(created.headers['location']).toBe(`/api/v1/users/${created.body.id}`);
    expect((await request(t.server).get(created.headers['location'])).body).toEqual(created.body);
  });

  it('changes the fields a PATCH carries when If-Match is the current ETag, and sends the next ETag', async () => {
    const user = await newUser();
    const patched = await request(t.server).patch(user.path).set('If-Match', user.etag).send({ name: '  Renamed  ' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: user.id, name: 'Renamed', email: expect.stringMatching(/^crud-/) });
    expect(patched.headers['etag']).not.toBe(user.etag);
    const read = await request(t.server).get(user.path);
    expect([read.body, read.headers['etag']]).toEqual([patched.body, patched.headers['etag']]);
    // If-None-Match keeps working on the version tag.
    expect((await request(t.server).get(user.path).set('If-None-Match', patched.headers['etag'])).status).toBe(304);
  });

  it('refuses a PATCH without If-Match with 428, and one with a stale or weak ETag with 412', async () => {
    const user = await newUser();
    expectProblem(await request(t.server).patch(user.path).send({ name: 'No tag' }), 428, 'precondition-required');
    await request(t.server).patch(user.path).set('If-Match', user.etag).send({ name: 'First' }).expect(200);
    expectProblem(await request(t.server).patch(user.path).set('If-Match', user.etag).send({ name: 'Stale' }), 412, 'precondition-failed');
    expectProblem(
      await request(t.server).patch(user.path).set('If-Match', `W/${user.etag}`).send({ name: 'Weak' }),
      412,
      'precondition-failed',
    );
    expectProblem(await request(t.server).patch(user.path).set('If-Match', 'garbage').send({ name: 'Bad' }), 412, 'precondition-failed');
    expect((await request(t.server).get(user.path)).body.name).toBe('First');
  });

  it('accepts If-Match: * as "whatever is current" and a list that contains the current ETag', async () => {
    const user = await newUser();
    const star = await request(t.server).patch(user.path).set('If-Match', '*').send({ name: 'Star' });
    expect(star.status).toBe(200);
    const listed = await request(t.server).patch(user.path).set('If-Match', `"999", ${star.headers['etag']}`).send({ name: 'Listed' });
    expect(listed.status).toBe(200);
  });

  it('validates a PATCH body like a create: bad values, null, unknown fields and an empty body are 400', async () => {
    const user = await newUser();
    const patch = (body: object) => request(t.server).patch(user.path).set('If-Match', user.etag).send(body);
    const wrongType = await patch({ name: 123 });
    expectProblem(wrongType, 400, 'validation-error');
    expect(wrongType.body.errors).toEqual([{ field: 'name', message: 'name must be a string' }]);
    expect((await patch({ name: null })).body.errors).toEqual([{ field: 'name', message: 'name must not be null' }]);
    expect((await patch({ email: 'not-an-email' })).body.errors).toEqual([{ field: 'email', message: 'email must be an email' }]);
    expect((await patch({ name: 'x', role: 'admin' })).body.errors).toEqual([{ field: 'role', message: 'property role should not exist' }]);
    expectProblem(await patch({}), 400, 'validation-error');
    expectProblem(
      await request(t.server).patch('/api/v1/users/not-a-uuid').set('If-Match', '"1"').send({ name: 'x' }),
      400,
      'validation-error',
    );
    // Nothing was written: the ETag still matches.
    expect((await request(t.server).get(user.path)).headers['etag']).toBe(user.etag);
  });

  it('answers 404 for a PATCH of an unknown id and 409 for an email another user has (any case)', async () => {
    const unknown = '/api/v1/users/01939e6a-0000-7000-8000-000000000000';
    expectProblem(await request(t.server).patch(unknown).set('If-Match', '"1"').send({ name: 'x' }), 404, 'not-found');
    const [a, b] = [await newUser(), await newUser()];
    const taken = (await request(t.server).get(a.path)).body.email.toUpperCase();
    expectProblem(await request(t.server).patch(b.path).set('If-Match', b.etag).send({ email: taken }), 409, 'conflict');
  });

  it('deletes with 204, then answers 404 for the id: GET, PATCH and a second DELETE', async () => {
    const user = await newUser();
    const deleted = await request(t.server).delete(user.path);
    expect([deleted.status, deleted.text]).toEqual([204, '']);
    expectProblem(await request(t.server).get(user.path), 404, 'not-found');
    expectProblem(await request(t.server).delete(user.path), 404, 'not-found');
    expectProblem(await request(t.server).patch(user.path).set('If-Match', user.etag).send({ name: 'x' }), 404, 'not-found');
  });

  it('deletes only at the version If-Match names when one is sent (412 when stale)', async () => {
    const user = await newUser();
    await request(t.server).patch(user.path).set('If-Match', user.etag).send({ name: 'Changed' }).expect(200);
    expectProblem(await request(t.server).delete(user.path).set('If-Match', user.etag), 412, 'precondition-failed');
    const current = (await request(t.server).get(user.path)).headers['etag'];
    await request(t.server).delete(user.path).set('If-Match', current).expect(204);
  });

  it('replays a retried DELETE with the same Idempotency-Key as its first 204, not a 404', async () => {
    const user = await newUser();
    await request(t.server).delete(user.path).set('Idempotency-Key', `delete-${user.id}`).expect(204);
    const retry = await request(t.server).delete(user.path).set('Idempotency-Key', `delete-${user.id}`);
    expect([retry.status, retry.headers['idempotency-replayed']]).toEqual([204, 'true']);
  });

  it(`lets exactly one of two concurrent PATCHes with the same ETag win, ${RACE_ROUNDS} rounds: one 200, one 412, no lost update`, async () => {
    const outcomes = new Map<string, number>();
    for (let round = 0; round < RACE_ROUNDS; round++) {
      const user = await newUser();
      const [a, b] = await Promise.all(
        ['A', 'B'].map((name) =>
          request(t.server)
            .patch(user.path)
            .set('If-Match', user.etag)
            .send({ name: `Writer ${name}` }),
        ),
      );
      const key = [a.status, b.status].sort().join('+');
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      const winner = a.status === 200 ? a : b;
      // The stored row is the winner's, at the winner's version.
      const read = await request(t.server).get(user.path);
      if (winner.status === 200) expect([read.body.name, read.headers['etag']]).toEqual([winner.body.name, winner.headers['etag']]);
    }
    process.stdout.write(`[users-race] ${RACE_ROUNDS} rounds: ${JSON.stringify(Object.fromEntries(outcomes))}\n`);
    expect(Object.fromEntries(outcomes)).toEqual({ '200+412': RACE_ROUNDS });
  }, 120_000);
});
