import request from 'supertest';
import { createTestApp, type TestApp } from '../utils/create-test-app';

const TOKEN = 'main-port-test-token-0123456789';

describe('management without MANAGEMENT_PORT: everything on the main port, /info and /admin/* behind the token', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ MANAGEMENT_TOKEN: TOKEN });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('keeps /metrics and the probes on the main port, as before', async () => {
    for (const path of ['/metrics', '/health/live', '/health/ready']) expect((await request(t.server).get(path)).status).toBe(200);
  });

  it('serves /info and /admin/* only with the token there (401 without)', async () => {
    for (const path of ['/info', '/admin/log-level']) {
      const refused = await request(t.server).get(path);
      expect({ path, status: refused.status, type: refused.headers['content-type'] }).toEqual({
        path,
        status: 401,
        type: expect.stringContaining('application/problem+json') as unknown,
      });
    }
    const info = await request(t.server).get('/info').set('Authorization', `Bearer ${TOKEN}`);
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ features: ['users'], configuration: { management: { token: '[masked]', port: null } } });
    expect(JSON.stringify(info.body)).not.toContain(TOKEN);
    const level = await request(t.server).get('/admin/log-level').set('Authorization', `Bearer ${TOKEN}`);
    expect(level.status).toBe(200);
    expect(level.body).toEqual({ level: 'warn', baseLevel: 'warn', revertsAt: null });
  });
});
