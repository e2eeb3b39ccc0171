import { type AppProcess, startAppProcess } from '../utils/app-process';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';
import { describeRateLimitProcess } from './rate-limit-process';

describeRateLimitProcess('memory');

describe('node dist/main.js with PROTECTIONS_DISABLED=rate_limit (real process)', () => {
  let db: TestDatabase;
  let app: AppProcess;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startAppProcess({
      DATABASE_URL: db.url,
      RATE_LIMIT_BURST: '1',
      RATE_LIMIT_PER_SECOND: '1',
      PROTECTIONS_DISABLED: 'rate_limit',
    });
    await app.waitFor('/api/v1/users', 200);
  });
  afterAll(async () => {
    if (app) expect(await app.stop('SIGTERM')).toBe(0);
    await db?.drop();
  });

  it('limits nothing: a burst of 1 never refuses, and no RateLimit headers are sent', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${app.baseUrl}/api/v1/users`);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit')).toBeNull();
      expect(res.headers.get('ratelimit-policy')).toBeNull();
    }
  });
});
