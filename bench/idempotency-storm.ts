import { join } from 'node:path';
import { benchHeaders, benchIdentityEnv, startBenchIdentity } from './lib/identity';
import { setTimeout as sleep } from 'node:timers/promises';
import { runRetryStorm } from '../test/idempotency/retry-storm';
import { createRestartablePostgres } from '../test/utils/restartable-postgres';
import { startTarget } from './lib/processes';

/**
 * `npm run bench:idempotency-storm`: N clients create users with Idempotency-Keys and retry (Retry-After, backoff
 * with jitter, same key) through a restart of the service's own PostgreSQL (fast shutdown: every session killed).
 * Reports requests sent, rows written, duplicates and acknowledged writes missing (both must be 0). Bounded:
 * BENCH_STORM_SECONDS of new keys, then at most 60 s of retries per key.
 */
const ROOT = join(__dirname, '..', '..');
const CLIENTS = Number(process.env['BENCH_STORM_CLIENTS'] ?? 50);
const SECONDS = Number(process.env['BENCH_STORM_SECONDS'] ?? 10);
const DOWN_MS = Number(process.env['BENCH_STORM_DOWN_MS'] ?? 3000);

async function main(): Promise<void> {
  await startBenchIdentity();
  const pg = await createRestartablePostgres();
  await pg.start();
  const target = await startTarget(
    'ballast',
    join(ROOT, 'dist', 'main.js'),
    {
      NODE_ENV: 'production',
      DATABASE_URL: pg.url,
      RATE_LIMIT_PER_SECOND: '1000000',
      RATE_LIMIT_BURST: '1000000',
      LOG_LEVEL: 'warn',
      REQUEST_TIMEOUT_MS: '3000',
      ...benchIdentityEnv(),
    },
    0,
    '/health/ready',
  );
  try {
    let downFor = 0;
    const report = await runRetryStorm({
      baseUrl: `http://127.0.0.1:${target.port}`,
      databaseUrl: pg.url,
      headers: benchHeaders(),
      clients: CLIENTS,
      durationMs: SECONDS * 1000,
      giveUpMs: 60_000,
      during: async () => {
        await sleep((SECONDS * 1000) / 3);
        const stopped = performance.now();
        await pg.stop();
        await sleep(DOWN_MS);
        await pg.start();
        downFor = Math.round(performance.now() - stopped);
      },
    });
    console.log(JSON.stringify({ clients: CLIENTS, seconds: SECONDS, databaseDownMs: downFor, ...report }, null, 2));
    if (report.duplicates !== 0 || report.acknowledgedMissing !== 0 || report.falseConflicts !== 0) process.exitCode = 2;
  } finally {
    await target.stop();
    await pg.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
