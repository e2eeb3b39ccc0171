import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { createApiKey } from '../utils/identity';

const USERS = '/api/v1/users';
const API_KEY_JS = join(__dirname, '..', '..', 'dist', 'api-key.js');
const run = promisify(execFile);

/** `npm run api-key -- <args>` on the built CLI, against `databaseUrl`. */
async function apiKeyCli(databaseUrl: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [API_KEY_JS, ...args], { env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: databaseUrl } });
}

describe('API keys (X-API-Key), created, used and revoked through the api-key command', () => {
  let t: TestApp;

  beforeAll(async () => {
    // No lookup cache: a revoke is seen by the next request (the cache has its own test below).
    t = await createTestApp({ AUTH_API_KEY_CACHE_SECONDS: '0', AUTH_FAILURES_PER_MINUTE: '100000' });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('prints a new key once, stores only its hash, accepts it with its scopes, lists it, and refuses it once revoked', async () => {
    const created = await apiKeyCli(t.database.url, 'create', '--name', 'ci-reader', '--scopes', 'users:read');
    const key = created.stdout.trim();
    expect(key).toMatch(/^bk_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain('shown once');
    const stored = await t.query<{ key_hash: string; scopes: string[] }>('SELECT "key_hash", "scopes" FROM "api_keys"');
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored.rows)).not.toContain(key.slice(3));

    expect((await request(t.server).get(USERS).set('X-API-Key', key)).status).toBe(200);
    const write = await request(t.server).post(USERS).set('X-API-Key', key).send({ email: 'k@example.com', name: 'K' });
    expect(write.status).toBe(403);
    expect(write.headers['www-authenticate']).toContain('error="insufficient_scope"');

    const listed = (await apiKeyCli(t.database.url, 'list')).stdout;
    const id = /^([0-9a-f-]{36})\s+active\s+ci-reader\s+scopes=users:read/m.exec(listed)?.[1];
    expect(id).toBeDefined();
    expect(listed).not.toContain(key);

    await apiKeyCli(t.database.url, 'revoke', id!);
    const refused = await request(t.server).get(USERS).set('X-API-Key', key);
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toContain('error="invalid_token"');
    expect((await apiKeyCli(t.database.url, 'list')).stdout).toMatch(new RegExp(`^${id}\\s+revoked`, 'm'));
  });

  it('refuses an unknown key, a malformed key and an expired key with 401', async () => {
    const unknown = `bk_${'A'.repeat(43)}`;
    expect((await request(t.server).get(USERS).set('X-API-Key', unknown)).status).toBe(401);
    expect((await request(t.server).get(USERS).set('X-API-Key', 'not a key')).status).toBe(401);
    expect((await request(t.server).get(USERS).set('X-API-Key', 'x'.repeat(9000))).status).toBe(401);
    const { key } = await createApiKey(t.database.url, 'soon-expired', ['users:read'], new Date(Date.now() + 500));
    await new Promise((r) => setTimeout(r, 600));
    expect((await request(t.server).get(USERS).set('X-API-Key', key)).status).toBe(401);
  });

  it('refuses a create without a name with the usage, exit code 1', async () => {
    await expect(apiKeyCli(t.database.url, 'create', '--scopes', 'users:read')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Usage:'),
    });
  });
});

describe('API key lookups are cached (bounded, with a TTL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ AUTH_API_KEY_CACHE_SECONDS: '30', AUTH_FAILURES_PER_MINUTE: '3' });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('serves a key from the cache without a database lookup per request, until the TTL', async () => {
    const { key } = await createApiKey(t.database.url, 'cached', ['users:read']);
    expect((await request(t.server).get(USERS).set('X-API-Key', key)).status).toBe(200);
    // Gone from the table: only the cache can still know the key.
    await t.query('DELETE FROM "api_keys"');
    expect((await request(t.server).get(USERS).set('X-API-Key', key)).status).toBe(200);
  });

  it('counts failed authentications against a strict per-IP bucket: 429 with Retry-After once it is empty, valid keys unaffected', async () => {
    const { key } = await createApiKey(t.database.url, 'valid', ['users:read']);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (
          await request(t.server)
            .get(USERS)
            .set('X-API-Key', `bk_${String(i).repeat(43)}`)
        ).status,
      );
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const limited = await request(t.server).get(USERS).set('Authorization', 'Bearer nope');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await request(t.server).get(USERS).set('X-API-Key', key)).status).toBe(200);
    // A request without any credential is not a failed authentication: still a plain 401.
    expect((await request(t.server).get(USERS)).status).toBe(401);
  });
});
