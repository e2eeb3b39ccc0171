import { hashApiKey } from '../../src/platform/identity/api-key';
import { type AppProcess, startAppProcess } from '../utils/app-process';
import { createApiKey, LocalIdentityProvider } from '../utils/identity';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';

const USERS = '/api/v1/users';

describe("credentials never reach the service's output; the principal id does", () => {
  let idp: LocalIdentityProvider;
  let database: TestDatabase;
  let app: AppProcess;

  beforeAll(async () => {
    idp = await LocalIdentityProvider.start();
    database = await createTestDatabase();
  });

  afterAll(async () => {
    if (app) await app.stop();
    await database?.drop();
    await idp?.stop();
  });

  it('logs no token, key or key hash at debug level through accepted, refused and failing requests, and names the principal on each request line', async () => {
    app = await startAppProcess({ DATABASE_URL: database.url, LOG_LEVEL: 'debug', ...idp.env() });
    await app.waitFor('/health/ready');
    const { key, id } = await createApiKey(database.url, 'logged', ['users:read']);
    const token = await idp.token({ sub: 'log-subject' });
    const expired = await idp.token({ expiresIn: -3600 });
    const wrongKey = `bk_${'Z'.repeat(43)}`;
    const bodies: string[] = [];
    const send = async (headers: Record<string, string>, method = 'GET') => {
      const res = await fetch(app.baseUrl + USERS, {
        method,
        headers: { ...headers, 'content-type': 'application/json' },
        body: method === 'POST' ? JSON.stringify({ email: 'x@example.com', name: 'X' }) : undefined,
      });
      bodies.push(`${res.status} ${[...res.headers].join(' ')} ${await res.text()}`);
      return res.status;
    };
    expect(await send({ authorization: `Bearer ${token}` })).toBe(200);
    expect(await send({ 'x-api-key': key })).toBe(200);
    expect(await send({ 'x-api-key': key }, 'POST')).toBe(403);
    expect(await send({ authorization: `Bearer ${expired}` })).toBe(401);
    expect(await send({ authorization: `Bearer ${token.slice(0, -4)}AAAA` })).toBe(401);
    expect(await send({ 'x-api-key': wrongKey })).toBe(401);
    await app.waitForOutput(`"principal":"key:${id}"`);
    await app.waitForOutput('"principal":"jwt:log-subject"');
    await app.stop();
    const everything = app.output() + bodies.join('\n');
    for (const secret of [token, expired, key, wrongKey, hashApiKey(key), token.split('.')[2], expired.split('.')[2], key.slice(3)])
      expect(everything).not.toContain(secret);
  });
});
