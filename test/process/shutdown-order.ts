import { startAppProcess, type AppProcess } from '../utils/app-process';
import { startTogether } from '../utils/start-together';
import { sharedRedis } from '../utils/redis';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';
import { UpstreamServer } from '../utils/upstream-server';

/**
 * docs/health-and-lifecycle.md: after the drain, resources close phase by phase — `outbound` (HTTP agents),
 * `clients` (Redis, the readiness connection), `database` (pool) — and only then Nest's own hooks run. Without
 * Redis (`npm test`) the order of the other phases is checked; with it (`npm run test:system`) Redis's place too.
 */
export function describeShutdownOrder(withRedis: boolean): void {
  describe(`shutdown order of node dist/main.js with an upstream${withRedis ? ' and Redis' : ''} (real process)`, () => {
    let env: Record<string, string>;
    let app: AppProcess | undefined;
    let release: () => Promise<void>;

    beforeAll(async () => {
      const started = await startTogether({
        db: { start: createTestDatabase, close: (db: TestDatabase) => db.drop() },
        upstream: { start: () => new UpstreamServer().start(), close: (upstream: UpstreamServer) => upstream.stop() },
        redis: {
          start: withRedis ? sharedRedis : () => Promise.resolve(undefined),
          close: (redis?: { stop(): Promise<void> }) => redis?.stop(),
        },
      });
      release = started.close;
      const { db, upstream, redis } = started.resources;
      env = { DATABASE_URL: db.url, PROFILE_SERVICE_URL: upstream.url, SHUTDOWN_DELAY_MS: '0', ...(redis ? { REDIS_URL: redis.url } : {}) };
    });
    afterAll(async () => {
      await app?.stop('SIGKILL');
      await release?.();
    });

    it(`closes the upstream in \`outbound\`${withRedis ? ', Redis in `clients`' : ''}, the pool in \`database\`, in that order, before the Nest hooks`, async () => {
      app = await startAppProcess(env);
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
        ...(withRedis ? [at(/closed redis \(rate limit\) \(clients\)/)] : []),
        at(/closed database pool \(database\)/),
        at(/application hooks done/),
      ];
      expect(order).toEqual([...order].sort((a, b) => a - b));
      if (!withRedis) expect(app.output()).not.toMatch(/closed redis/);
    });
  });
}
