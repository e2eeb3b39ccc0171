import { setTimeout as sleep } from 'node:timers/promises';
import { type AppProcess, freePort, startAppProcess } from '../utils/app-process';
import { type Haproxy, haproxyBinary, startHaproxy } from '../utils/haproxy';
import { startKeepAliveLoad } from '../utils/keep-alive-load';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';

/**
 * `npm run test:rollout` (also part of `npm test`): a rolling restart as Kubernetes does it with
 * maxSurge 1 / maxUnavailable 0, behind a real load balancer, under continuous keep-alive load.
 */
describe('rolling restart behind HAProxy (4 real processes)', () => {
  let db: TestDatabase;
  let haproxy: Haproxy | undefined;
  const replicas = new Map<string, AppProcess>();

  beforeAll(async () => {
    haproxyBinary(); // fails loudly, naming the fix, when HAProxy is missing
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await haproxy?.stop();
    for (const app of replicas.values()) await app.stop('SIGKILL');
    await db?.drop();
  });

  it('replaces two replicas one at a time under keep-alive load with zero non-2xx and zero socket errors', async () => {
    const started = performance.now();
    const ports = { old1: await freePort(), old2: await freePort(), new1: await freePort(), new2: await freePort() };
    const launch = async (name: keyof typeof ports) => {
      const app = await startAppProcess({
        PORT: String(ports[name]),
        DATABASE_URL: db.url,
        DB_POOL_MAX: '5',
        DB_POOL_MIN: '1',
        // Longer than HAProxy needs to see the replica unready (one 250 ms check, plus slack for a busy machine).
        SHUTDOWN_DELAY_MS: '2000',
        SHUTDOWN_DRAIN_TIMEOUT_MS: '10000',
        RATE_LIMIT_PER_SECOND: '1000000',
        RATE_LIMIT_BURST: '1000000',
      });
      replicas.set(name, app);
      await app.waitFor('/health/ready', 200, 30_000);
      return app;
    };

    // Sequential start: the first replica runs the migration alone.
    await launch('old1');
    await launch('old2');
    haproxy = await startHaproxy(Object.entries(ports).map(([name, port]) => ({ name, port })));
    await Promise.all([
      haproxy.waitForStatus('old1', 'UP'),
      haproxy.waitForStatus('old2', 'UP'),
      haproxy.waitForStatus('new1', 'DOWN'),
      haproxy.waitForStatus('new2', 'DOWN'),
    ]);

    const load = startKeepAliveLoad(`${haproxy.url}/api/v1/users?limit=1`, 8);
    await sleep(1000);
    const exits: Array<number | string> = [];
    for (const [next, previous] of [
      ['new1', 'old1'],
      ['new2', 'old2'],
    ] as const) {
      await launch(next);
      await haproxy.waitForStatus(next, 'UP');
      const old = replicas.get(previous)!;
      old.child.kill('SIGTERM');
      await haproxy.waitForStatus(previous, 'DOWN', 5000);
      exits.push(await old.exited);
      replicas.delete(previous);
      await sleep(500);
    }
    await sleep(1000);
    const result = await load.stop();
    const stats = await haproxy.stats();
    const durationMs = Math.round(performance.now() - started);
    process.stdout.write(
      `[rollout] ${result.requests} requests in ${result.durationMs} ms under load (${durationMs} ms in all): ` +
        `${JSON.stringify(result.byStatus)}, non-2xx ${result.non2xx}, socket errors ${JSON.stringify(result.errors)}; ` +
        `2xx per replica ${JSON.stringify(Object.fromEntries(Object.entries(stats).map(([name, s]) => [name, s.responses2xx])))}\n`,
    );

    expect(result.errors).toEqual({});
    expect(result.non2xx).toBe(0);
    expect(result.requests).toBeGreaterThan(100);
    expect(exits).toEqual([0, 0]);
    for (const name of ['old1', 'old2', 'new1', 'new2']) expect(stats[name]?.responses2xx).toBeGreaterThan(0);
  }, 60_000);
});
