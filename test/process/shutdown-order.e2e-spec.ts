import { startAppProcess, type AppProcess } from '../utils/app-process';
import { sharedRedis } from '../utils/redis';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';
import { UpstreamServer } from '../utils/upstream-server';

/**
 * docs/health-and-lifecycle.md: after the drain, resources close phase by phase — `outbound` (HTTP agents),
 * `clients` (Redis, the readiness connection), `database` (pool) — and only then Nest's own hooks run.
 */
describe('shutdown order of node dist/main.js with Redis and an upstream (real process)', () => {
  let db: TestDatabase;
  let redis: { url: string; stop(): Promise<void> };
  let upstream: UpstreamServer;
  let app: AppProcess | undefined;

  beforeAll(async () => {
    [db, redis, upstream] = await Promise.all([createTestDatabase(), sharedRedis(), new UpstreamServer().start()]);
  });
  afterAll(async () => {
    await app?.stop('SIGKILL');
    await Promise.all([db?.drop(), redis?.stop(), upstream?.stop()]);
  });

  it('closes the upstream in `outbound`, Redis in `clients`, the pool in `database`, in that order, before the Nest hooks', async () => {
    app = await startAppProcess({ DATABASE_URL: db.url, REDIS_URL: redis.url, PROFILE_SERVICE_URL: upstream.url, SHUTDOWN_DELAY_MS: '0' });
    await app.waitFor('/health/ready', 200);
    expect(await app.stop('SIGTERM')).toBe(0);

    const lines = app.output().split('\n');
    const at = (pattern: RegExp) => {
      const index = lines.findIndex((line) => pattern.test(line));
      if (index === -1) throw new Error(`no log line matches ${String(pattern)}:\n${app?.output() ?? ''}`);
      return index;
    };
    const order = [
      at(/closed upstream profile \(outbound\)/),
      at(/closed redis \(rate limit\) \(clients\)/),
      at(/closed database pool \(database\)/),
      at(/application hooks done/),
    ];
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});
