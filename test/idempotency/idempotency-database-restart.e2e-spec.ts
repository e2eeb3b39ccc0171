import { setTimeout as sleep } from 'node:timers/promises';
import { type AppProcess, startAppProcess } from '../utils/app-process';
import { createRestartablePostgres, type RestartablePostgres } from '../utils/restartable-postgres';
import { runRetryStorm } from './retry-storm';

// Its own embedded PostgreSQL, stopped (fast shutdown: every session killed) and started under the clients.
describe('Idempotency-Key through a database restart (real process, its own PostgreSQL)', () => {
  let pg: RestartablePostgres;
  let app: AppProcess | undefined;

  beforeAll(async () => {
    pg = await createRestartablePostgres();
    await pg.start();
  }, 120_000);
  afterAll(async () => {
    await app?.stop('SIGKILL');
    await pg?.destroy();
  }, 60_000);

  it('every retried key ends as exactly one row, and every acknowledged write is there', async () => {
    // A short deadline keeps the in-progress lease (REQUEST_TIMEOUT_MS + 2 s) of claims orphaned by the restart short.
    app = await startAppProcess({ DATABASE_URL: pg.url, DB_POOL_MIN: '2', REQUEST_TIMEOUT_MS: '2000', LOG_LEVEL: 'warn' });
    await app.waitFor('/health/ready', 200, 30_000);
    const report = await runRetryStorm({
      baseUrl: app.baseUrl,
      databaseUrl: pg.url,
      clients: 6,
      durationMs: 4000,
      giveUpMs: 40_000,
      during: async () => {
        await sleep(1000);
        await pg.stop();
        await sleep(1500);
        await pg.start();
      },
    });
    process.stdout.write(`[idempotency-restart] ${JSON.stringify(report)}\n`);
    expect(report.answers['503'] ?? 0).toBeGreaterThan(0); // the restart was felt
    expect(report.answers['500'] ?? 0).toBe(0); // a broken connection is a 503, never a 500
    expect(report.givenUp).toBe(0);
    expect(report.acknowledged).toBe(report.keys);
    expect(report.duplicates).toBe(0);
    expect(report.falseConflicts).toBe(0);
    expect(report.acknowledgedMissing).toBe(0);
    expect(report.rowsWritten).toBe(report.keys);
  }, 120_000);
});
