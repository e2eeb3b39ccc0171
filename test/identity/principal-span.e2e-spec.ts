import { startTracedApp, type TracedApp } from '../tracing/traced-app';
import { createApiKey, LocalIdentityProvider } from '../utils/identity';

describe('SERVER spans carry the principal id (enduser.id), never a credential', () => {
  let idp: LocalIdentityProvider;
  let traced: TracedApp | undefined;

  beforeAll(async () => {
    idp = await LocalIdentityProvider.start();
  });

  afterEach(async () => {
    await traced?.close();
    traced = undefined;
  });

  afterAll(async () => {
    await idp?.stop();
  });

  it('sets enduser.id on the SERVER span of an authenticated request', async () => {
    traced = await startTracedApp(idp.env());
    const { key, id } = await createApiKey(traced.db.url, 'traced', ['users:read']);
    const token = await idp.token({ sub: 'span-subject' });
    await fetch(`${traced.app.baseUrl}/api/v1/users`, { headers: { 'x-api-key': key, 'x-request-id': 'principal-span-1' } });
    await fetch(`${traced.app.baseUrl}/api/v1/users`, {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'principal-span-2' },
    });
    const byKey = await traced.receiver.spanOfRequest('principal-span-1');
    const byToken = await traced.receiver.spanOfRequest('principal-span-2');
    expect(byKey.attributes['enduser.id']).toBe(`key:${id}`);
    expect(byToken.attributes['enduser.id']).toBe('jwt:span-subject');
    const everything = JSON.stringify(traced.receiver.spans);
    expect(everything).not.toContain(key);
    expect(everything).not.toContain(token.split('.')[2]);
  });

  it('leaves enduser.id out with AUTH_SPAN_PRINCIPAL=false', async () => {
    traced = await startTracedApp(idp.env({ AUTH_SPAN_PRINCIPAL: 'false' }));
    const { key } = await createApiKey(traced.db.url, 'untraced', ['users:read']);
    await fetch(`${traced.app.baseUrl}/api/v1/users`, { headers: { 'x-api-key': key, 'x-request-id': 'principal-span-3' } });
    expect((await traced.receiver.spanOfRequest('principal-span-3')).attributes['enduser.id']).toBeUndefined();
  });
});
