import { createHmac, createPublicKey } from 'node:crypto';
import request from 'supertest';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { LocalIdentityProvider } from '../utils/identity';
import { scrape, valueOf } from '../utils/metrics-text';

const USERS = '/api/v1/users';

function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/** Waits until the JWKS fetch the app makes at start has been answered (a few ms on a quiet machine). */
async function keysFetched(idp: LocalIdentityProvider, count = 1): Promise<void> {
  for (let i = 0; i < 200 && idp.fetches < count; i++) await new Promise((r) => setTimeout(r, 10));
}

describe('JWT bearer tokens against a local JWKS', () => {
  let idp: LocalIdentityProvider;
  let t: TestApp;

  beforeAll(async () => {
    idp = await LocalIdentityProvider.start();
    // Failed authentications are limited per IP (test/identity/api-keys.e2e-spec.ts tests that): not here.
    t = await createTestApp(idp.env({ AUTH_FAILURES_PER_MINUTE: '100000' }));
    await keysFetched(idp);
  });

  afterAll(async () => {
    await t?.close();
    await idp?.stop();
  });

  const get = (token: string) => request(t.server).get(USERS).set('Authorization', `Bearer ${token}`);

  /** Expects a 401 problem+json with an RFC 6750 challenge, and no part of the token anywhere in the answer. */
  async function expectRefused(token: string, error: 'invalid_token' | 'invalid_request' = 'invalid_token') {
    const res = await get(token);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toMatch(new RegExp(`^Bearer realm="api", error="${error}", error_description="[^"]+"$`));
    expect(JSON.stringify(res.body) + JSON.stringify(res.headers)).not.toContain(token.slice(-20));
    return res;
  }

  it('accepts a valid RS256 token and a valid ES256 token', async () => {
    expect((await get(await idp.token())).status).toBe(200);
    expect((await get(await idp.token({ key: idp.keys[1], sub: 'user-es' }))).status).toBe(200);
  });

  it('answers 401 with WWW-Authenticate: Bearer and no error code when no credential is sent', async () => {
    const res = await request(t.server).get(USERS);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(res.body).toMatchObject({ type: 'urn:ballast:problem:unauthenticated', status: 401 });
  });

  it('refuses an expired token (beyond the clock skew) as expired', async () => {
    const res = await expectRefused(await idp.token({ expiresIn: -60 }));
    expect(res.body.detail).toBe('The token has expired.');
  });

  it('accepts a token expired by less than AUTH_CLOCK_SKEW_SECONDS', async () => {
    expect((await get(await idp.token({ expiresIn: -10 }))).status).toBe(200);
  });

  it('refuses a token whose nbf is in the future beyond the skew', async () => {
    await expectRefused(await idp.token({ notBefore: 120 }));
  });

  it('refuses a wrong issuer and a wrong audience', async () => {
    await expectRefused(await idp.token({ iss: 'https://evil.example/' }));
    await expectRefused(await idp.token({ aud: 'another-api' }));
  });

  it('refuses alg none', async () => {
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'admin', iss: 'https://idp.ballast.test/', aud: 'ballast-api', exp: Math.floor(Date.now() / 1000) + 300, scope: 'users:read' })}.`;
    await expectRefused(token);
  });

  it('refuses HS256 signed with the RSA public key as the HMAC secret (algorithm confusion)', async () => {
    const rsa = idp.keys[0];
    const pem = createPublicKey({ key: rsa.publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const signingInput = `${b64url({ alg: 'HS256', typ: 'JWT', kid: rsa.kid })}.${b64url({
      sub: 'admin',
      iss: 'https://idp.ballast.test/',
      aud: 'ballast-api',
      exp: Math.floor(Date.now() / 1000) + 300,
      scope: 'users:read users:write',
    })}`;
    const signature = createHmac('sha256', pem).update(signingInput).digest('base64url');
    await expectRefused(`${signingInput}.${signature}`);
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = (await idp.token({ scope: 'users:read' })).split('.');
    const forged = b64url({
      sub: 'admin',
      iss: 'https://idp.ballast.test/',
      aud: 'ballast-api',
      exp: Math.floor(Date.now() / 1000) + 300,
      scope: 'users:write',
    });
    await expectRefused(`${header}.${forged}.${signature}`);
  });

  it('refuses an oversized token with 401 (not 500), and a header past the server limit with 431', async () => {
    const big = await idp.token({ extra: { padding: 'x'.repeat(9000) } });
    await expectRefused(big, 'invalid_request');
    const huge = await get('a'.repeat(20_000));
    expect(huge.status).toBe(431);
  });

  it('refuses a malformed Authorization header and two credentials at once', async () => {
    const basic = await request(t.server).get(USERS).set('Authorization', 'Basic dXNlcjpwYXNz');
    expect(basic.status).toBe(401);
    expect(basic.headers['www-authenticate']).toContain('error="invalid_request"');
    const both = await request(t.server)
      .get(USERS)
      .set('Authorization', `Bearer ${await idp.token()}`)
      .set('X-API-Key', 'bk_x');
    expect(both.status).toBe(401);
  });

  it('answers 403 insufficient_scope when the token lacks the route scope', async () => {
    const res = await request(t.server)
      .post(USERS)
      .set('Authorization', `Bearer ${await idp.token({ scope: 'users:read', sub: 'reader' })}`)
      .send({ email: 'reader@example.com', name: 'Reader' });
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toMatch(/error="insufficient_scope".*scope="users:write"/);
    expect(res.body).toMatchObject({ type: 'urn:ballast:problem:insufficient-scope', status: 403 });
  });

  it('fetches the JWKS at most once per cooldown under a flood of unknown kids (no fetch flood)', async () => {
    const before = idp.fetches;
    const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => idp.token({ kid: `unknown-${i}`, sub: `flood-${i}` })));
    const statuses = await Promise.all(tokens.map(async (token) => (await get(token)).status));
    for (let i = 0; i < 50; i++) statuses.push((await get(await idp.token({ kid: `later-${i}` }))).status);
    expect(new Set(statuses)).toEqual(new Set([401]));
    process.stdout.write(
      `[identity] unknown-kid flood: 100 tokens, ${idp.fetches - before} JWKS fetch(es) during it, ${idp.fetches} since start\n`,
    );
    // The default cooldown (30 s) started with the fetch at boot: no refresh is allowed yet, whatever the flood.
    expect(idp.fetches - before).toBeLessThanOrEqual(1);
    expect(idp.fetches).toBeLessThanOrEqual(2);
  });

  it('counts auth_requests_total by outcome', async () => {
    const samples = await scrape(t.server);
    for (const outcome of ['authenticated', 'missing', 'invalid', 'expired', 'forbidden'])
      expect(valueOf(samples, 'auth_requests_total', { outcome })).toBeGreaterThan(0);
    expect(valueOf(samples, 'auth_requests_total', { outcome: 'unavailable' })).toBe(0);
  });
});

describe('JWKS key rotation and identity provider outages', () => {
  let idp: LocalIdentityProvider;
  const apps: TestApp[] = [];

  beforeEach(async () => {
    idp = await LocalIdentityProvider.start();
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await idp.stop();
  });

  it('accepts a token signed with a new kid after one refresh, once the cooldown has passed', async () => {
    const t = await createTestApp(idp.env({ AUTH_JWKS_COOLDOWN_SECONDS: '1' }));
    apps.push(t);
    await keysFetched(idp);
    expect(
      (
        await request(t.server)
          .get(USERS)
          .set('Authorization', `Bearer ${await idp.token()}`)
      ).status,
    ).toBe(200);
    const rotated = await idp.addKey('RS256');
    await new Promise((r) => setTimeout(r, 1100)); // past the one-second cooldown
    const before = idp.fetches;
    const token = await idp.token({ key: rotated, sub: 'rotated' });
    expect((await request(t.server).get(USERS).set('Authorization', `Bearer ${token}`)).status).toBe(200);
    expect(idp.fetches - before).toBe(1);
  });

  it('refreshes once for a flood of unknown kids arriving after the cooldown, not once per token', async () => {
    const t = await createTestApp(idp.env({ AUTH_JWKS_COOLDOWN_SECONDS: '1', AUTH_FAILURES_PER_MINUTE: '100000' }));
    apps.push(t);
    await keysFetched(idp);
    await new Promise((r) => setTimeout(r, 1100)); // past the cooldown: the first unknown kid may refresh
    const before = idp.fetches;
    const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => idp.token({ kid: `flood-${i}` })));
    const statuses = await Promise.all(
      tokens.map(async (token) => (await request(t.server).get(USERS).set('Authorization', `Bearer ${token}`)).status),
    );
    expect(new Set(statuses)).toEqual(new Set([401]));
    process.stdout.write(`[identity] unknown-kid flood after the cooldown: 50 tokens, ${idp.fetches - before} JWKS fetch(es)\n`);
    expect(idp.fetches - before).toBe(1);
  });

  it('keeps accepting tokens with cached keys while the identity provider is down', async () => {
    const t = await createTestApp(idp.env({ AUTH_JWKS_COOLDOWN_SECONDS: '1', AUTH_JWKS_REFRESH_SECONDS: '10' }));
    apps.push(t);
    await keysFetched(idp);
    idp.goDown();
    await new Promise((r) => setTimeout(r, 1100));
    // An unknown kid triggers a refresh that fails: the keys held stay in use.
    expect(
      (
        await request(t.server)
          .get(USERS)
          .set('Authorization', `Bearer ${await idp.token({ kid: 'nope' })}`)
      ).status,
    ).toBe(401);
    const res = await request(t.server)
      .get(USERS)
      .set('Authorization', `Bearer ${await idp.token({ sub: 'during-outage' })}`);
    expect(res.status).toBe(200);
  });

  it('answers 503 auth-unavailable with Retry-After (never 401) to a valid token when no key could ever be fetched', async () => {
    idp.goDown();
    const t = await createTestApp(idp.env());
    apps.push(t);
    await keysFetched(idp);
    const res = await request(t.server)
      .get(USERS)
      .set('Authorization', `Bearer ${await idp.token()}`);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ type: 'urn:ballast:problem:auth-unavailable', status: 503 });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(valueOf(await scrape(t.server), 'auth_requests_total', { outcome: 'unavailable' })).toBe(1);
  });
});
