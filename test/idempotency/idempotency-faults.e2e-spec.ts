import request from 'supertest';
import { setTimeout as sleep } from 'node:timers/promises';
import { IdempotencyCleanup } from '../../src/platform/idempotency';
import { fingerprintOf } from '../../src/platform/idempotency/idempotency-key';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { HOLD_RESPONSE_HEADER, HOLD_TRANSACTION_HEADER, IdempotencyTestModule, PRINCIPAL_HEADER } from './idempotency-test.module';

const DEADLINE_MS = 800;
const USERS = '/api/v1/users';

describe('Idempotency-Key under faults: deadline after commit, lost lease, expiry and cleanup (e2e, real PostgreSQL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(
      { REQUEST_TIMEOUT_MS: String(DEADLINE_MS), IDEMPOTENCY_TTL_SECONDS: '600' },
      { extraImports: [IdempotencyTestModule] },
    );
    await t.query(`CREATE TABLE idem_probe (id serial PRIMARY KEY, tag text NOT NULL)`);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function usersWith(email: string): Promise<number> {
    return Number((await t.query<{ n: string }>(`SELECT count(*) AS n FROM users WHERE email = $1`, [email])).rows[0].n);
  }

  it('a retry after a 504 whose write had committed gets the original 201 (replayed), and there is one row', async () => {
    const body = { email: 'late@example.com', name: 'Late' };
    const first = await request(t.server)
      .post(USERS)
      .set('Idempotency-Key', 'k-late')
      .set(HOLD_RESPONSE_HEADER, String(DEADLINE_MS + 500))
      .send(body);
    expect(first.status).toBe(504);
    expect(await usersWith(body.email)).toBe(1); // the write committed before the deadline answer
    const retry = await request(t.server).post(USERS).set('Idempotency-Key', 'k-late').send(body);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotency-replayed']).toBe('true');
    expect(retry.body).toMatchObject({ email: body.email, name: body.name, id: expect.any(String) });
    const row = (await t.query<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [body.email])).rows[0];
    expect(retry.body.id).toBe(row.id);
    expect(await usersWith(body.email)).toBe(1);
  });

  it("replays Location with the stored answer, and scopes keys by the route's principal hook, not by the client", async () => {
    const located = '/test/located';
    const post = (principal: string, tag: string) =>
      request(t.server).post(located).set('Idempotency-Key', 'k-shared').set(PRINCIPAL_HEADER, principal).send({ tag });
    const first = await post('alice', 'located');
    expect(first.status).toBe(201);
    expect(first.headers['location']).toBe(`/test/located/${first.body.id}`);
    const replay = await post('alice', 'located');
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(replay.headers['location']).toBe(first.headers['location']);
    expect(replay.body).toEqual(first.body);
    // Same client (one IP), same key, another principal: another owner's key, so it runs and writes its own row.
    const other = await post('bob', 'located');
    expect(other.status).toBe(201);
    expect(other.headers['idempotency-replayed']).toBeUndefined();
    expect(other.body.id).not.toBe(first.body.id);
    expect((await t.query(`SELECT 1 FROM idem_probe WHERE tag = 'located'`)).rowCount).toBe(2);
  });

  it('without a key, that same retry answers 409 to a write that had in fact succeeded (the problem keys solve)', async () => {
    const body = { email: 'late-nokey@example.com', name: 'Late' };
    expect(
      (
        await request(t.server)
          .post(USERS)
          .set(HOLD_RESPONSE_HEADER, String(DEADLINE_MS + 500))
          .send(body)
      ).status,
    ).toBe(504);
    expect((await request(t.server).post(USERS).send(body)).status).toBe(409);
  });

  it('a first attempt that outlives its lease cannot commit: the attempt that took the key over writes the one row', async () => {
    // Lease = REQUEST_TIMEOUT_MS + 2000 ms; the first attempt holds its open transaction idle past it, and PostgreSQL
    // ends that session (idle_in_transaction_session_timeout): its write and the key's lock go with it.
    const leaseMs = DEADLINE_MS + 2000;
    const holdMs = leaseMs + 1500;
    const body = { tag: 'lease' };
    const post = () => request(t.server).post('/test/probe').set('Idempotency-Key', 'k-lease');
    const started = performance.now();
    const first = post()
      .set(HOLD_TRANSACTION_HEADER, String(holdMs))
      .send(body)
      .then((r) => r);
    await sleep(300);
    const during = await post().send(body);
    expect(during.status).toBe(409);
    expect(Number(during.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await first).status).toBe(504);
    await sleep(started + leaseMs + 300 - performance.now()); // past the lease, while the first still holds its transaction
    const second = await post().send(body);
    expect(second.status).toBe(201);
    expect(second.headers['idempotency-replayed']).toBeUndefined();
    await sleep(started + holdMs + 500 - performance.now()); // the first attempt wakes up, its transaction already gone
    expect((await t.query(`SELECT tag FROM idem_probe WHERE tag = 'lease'`)).rowCount).toBe(1);
    const replay = await post().send(body);
    expect(replay.headers['idempotency-replayed']).toBe('true');
  });

  it('a deadline while the write is still uncommitted: the write and its key share one fate, and the retry ends with one row', async () => {
    const body = { tag: 'open-at-deadline' };
    const post = () => request(t.server).post('/test/probe').set('Idempotency-Key', 'k-open');
    expect(
      (
        await post()
          .set(HOLD_TRANSACTION_HEADER, String(DEADLINE_MS + 300))
          .send(body)
      ).status,
    ).toBe(504);
    await sleep(600); // the handler returns after the deadline; its commit is refused or goes through, never half
    const rows = (await t.query(`SELECT 1 FROM idem_probe WHERE tag = 'open-at-deadline'`)).rowCount;
    const state = (await t.query<{ state: string }>(`SELECT state FROM idempotency_keys WHERE key = 'k-open'`)).rows[0]?.state;
    expect({ rows, completed: state === 'completed' }).toEqual(rows === 1 ? { rows: 1, completed: true } : { rows: 0, completed: false });
    let retry = await post().send(body);
    for (let i = 0; retry.status === 409 && i < 10; i++) {
      await sleep(Number(retry.headers['retry-after'] ?? 1) * 1000);
      retry = await post().send(body);
    }
    expect(retry.status).toBe(201);
    expect((await t.query(`SELECT 1 FROM idem_probe WHERE tag = 'open-at-deadline'`)).rowCount).toBe(1);
  });

  it('a holder whose connection dies frees the key at once: the retry runs now (no lease to wait out), one row', async () => {
    const post = () => request(t.server).post('/test/probe').set('Idempotency-Key', 'k-killed');
    const first = post()
      .set(HOLD_TRANSACTION_HEADER, String(DEADLINE_MS - 200))
      .send({ tag: 'killed' })
      .then((r) => r);
    await sleep(250);
    // The first attempt's session dies with its open transaction (a crashed process, a failover, a killed backend).
    const killed = await t.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND state = 'idle in transaction' AND pid <> pg_backend_pid()`,
    );
    expect(killed.rowCount).toBe(1);
    const retry = await post().send({ tag: 'killed' });
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotency-replayed']).toBeUndefined();
    expect((await first).status).toBe(503); // its commit found the connection gone: outcome unknown to it, so 503
    expect((await t.query(`SELECT 1 FROM idem_probe WHERE tag = 'killed'`)).rowCount).toBe(1);
  });

  it('rolls the write back when another attempt stored the key before commit (the primary key decides, whatever raced the lock)', async () => {
    const first = request(t.server)
      .post('/test/probe')
      .set('Idempotency-Key', 'k-stolen')
      .set(HOLD_TRANSACTION_HEADER, '400')
      .send({ tag: 'stolen' })
      .then((r) => r);
    await sleep(150);
    // What a writer that did not wait for the lock commits meanwhile (a replica of the earlier design claiming the key).
    const taken = await t.query(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, state, claim_token, locked_until, expires_at)
       VALUES ('ip:127.0.0.1 POST /test/probe', 'k-stolen', 'other', 'in_progress', gen_random_uuid(), now() + interval '10 seconds', now() + interval '1 hour')`,
    );
    expect(taken.rowCount).toBe(1);
    const res = await first;
    expect(res.status).toBe(409);
    expect((await t.query(`SELECT 1 FROM idem_probe WHERE tag = 'stolen'`)).rowCount).toBe(0);
  });

  it('takes over an in-progress claim whose lease ran out (a crashed process) and answers 409 while the lease holds', async () => {
    const body = { email: 'crashed@example.com', name: 'C' };
    const fingerprint = fingerprintOf('POST', USERS, body);
    const insert = (lease: string) =>
      t.query(
        `INSERT INTO idempotency_keys (scope, key, fingerprint, state, claim_token, locked_until, expires_at)
         VALUES ('ip:127.0.0.1 POST /api/v1/users', $1, $2, 'in_progress', gen_random_uuid(), now() + $3::interval, now() + interval '1 hour')`,
        [`k-crash-${lease.startsWith('-') ? 'expired' : 'held'}`, fingerprint, lease],
      );
    await insert('10 seconds');
    const held = await request(t.server).post(USERS).set('Idempotency-Key', 'k-crash-held').send(body);
    expect(held.status).toBe(409);
    expect(Number(held.headers['retry-after'])).toBeGreaterThanOrEqual(9);
    await insert('-1 second');
    const taken = await request(t.server).post(USERS).set('Idempotency-Key', 'k-crash-expired').send(body);
    expect(taken.status).toBe(201);
    expect(taken.headers['idempotency-replayed']).toBeUndefined();
  });

  it('requires the key where the route says so: 400 problem+json when it is missing', async () => {
    const res = await request(t.server).post('/test/probe').send({ tag: 'nokey' });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:ballast:problem:idempotency-key-missing');
    expect((await t.query(`SELECT 1 FROM idem_probe WHERE tag = 'nokey'`)).rowCount).toBe(0);
  });

  it('keeps a key IDEMPOTENCY_TTL_SECONDS, then forgets it: the same key runs a new request', async () => {
    await request(t.server).post('/test/probe').set('Idempotency-Key', 'k-ttl').send({ tag: 'ttl-1' }).expect(201);
    const lifetime = (
      await t.query<{ s: number }>(
        `SELECT extract(epoch FROM expires_at - created_at)::float8 AS s FROM idempotency_keys WHERE key = 'k-ttl'`,
      )
    ).rows[0];
    expect(lifetime?.s).toBeCloseTo(600, 0);
    expect((await request(t.server).post('/test/probe').set('Idempotency-Key', 'k-ttl').send({ tag: 'ttl-2' })).status).toBe(422);
    await t.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'k-ttl'`); // 600 s later
    const after = await request(t.server).post('/test/probe').set('Idempotency-Key', 'k-ttl').send({ tag: 'ttl-2' });
    expect(after.status).toBe(201);
    expect(after.headers['idempotency-replayed']).toBeUndefined();
  });

  it('deletes expired keys in bounded batches and keeps live ones; the table has its expires_at index', async () => {
    await t.query(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, state, response_status, expires_at)
       SELECT 'bulk', 'e' || g, 'f', 'completed', 201, now() - interval '1 minute' FROM generate_series(1, 2500) g`,
    );
    await t.query(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, state, response_status, expires_at) VALUES ('bulk', 'live', 'f', 'completed', 201, now() + interval '1 hour')`,
    );
    const cleanup = t.app.get(IdempotencyCleanup);
    expect(await cleanup.runOnce(1000)).toBeGreaterThanOrEqual(2500);
    expect((await t.query(`SELECT key FROM idempotency_keys WHERE scope = 'bulk'`)).rows).toEqual([{ key: 'live' }]);
    const indexes = (await t.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = 'idempotency_keys'`)).rows.map(
      (r) => r.indexdef,
    );
    expect(indexes).toEqual(expect.arrayContaining([expect.stringMatching(/\(expires_at\)/), expect.stringMatching(/\(scope, key\)/)]));
  });
});
