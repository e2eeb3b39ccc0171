import autocannon from 'autocannon';
import { benchHeaders, benchIdentityEnv, startBenchIdentity } from './lib/identity';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createBenchDatabase } from './lib/database';
import { median } from './lib/load';
import { canPin, pinSelf, startTarget } from './lib/processes';

/**
 * `npm run bench:idempotency`: the cost of the Idempotency-Key check on POST /api/v1/users — the same server, the same
 * database, alternating rounds without a key and with a fresh key per request (the key's lock, lookup and completed
 * row in the write's transaction). Every request creates a new user (unique email), so both sides do the same write.
 * `BENCH_ONLY=idempotency npm run bench` runs the same comparison on the shared bench/lib (CPU, p99 ratios per round,
 * and another build in the same rounds with BENCH_BASE_ROOT).
 * Bounded: BENCH_ROUNDS × 2 × BENCH_SECONDS.
 */
const ROOT = join(__dirname, '..', '..');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);
const POOL = process.env['BENCH_POOL'] ?? '10';

interface Round {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function round(port: number, withKey: boolean, seconds: number): Promise<Round> {
  const tag = randomUUID().slice(0, 8);
  let n = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/users',
        setupRequest: (req: Record<string, unknown>) => ({
          ...req,
          headers: { ...benchHeaders(), 'content-type': 'application/json', ...(withKey ? { 'idempotency-key': randomUUID() } : {}) },
          body: JSON.stringify({ email: `b-${tag}-${n++}@example.com`, name: 'Bench' }),
        }),
      },
    ],
  } as unknown as autocannon.Options);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

async function main(): Promise<void> {
  if (canPin) pinSelf(1);
  await startBenchIdentity();
  const database = await createBenchDatabase();
  const target = await startTarget(
    'ballast',
    join(ROOT, 'dist', 'main.js'),
    {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      RATE_LIMIT_PER_SECOND: '1000000',
      RATE_LIMIT_BURST: '1000000',
      LOG_LEVEL: 'warn',
      ...benchIdentityEnv(),
      DB_POOL_MAX: POOL,
      DB_POOL_MIN: POOL,
      DB_PERMITS: '200',
    },
    0,
    '/health/ready',
  );
  try {
    await round(target.port, false, 3); // warm-up (JIT, pool)
    await round(target.port, true, 3);
    const without: Round[] = [];
    const withKey: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      without.push(await round(target.port, false, SECONDS));
      withKey.push(await round(target.port, true, SECONDS));
    }
    const summary = (name: string, rounds: Round[]) => ({
      name,
      rps: Math.round(median(rounds.map((x) => x.rps))),
      p50: median(rounds.map((x) => x.p50)),
      p99: median(rounds.map((x) => x.p99)),
      non2xx: rounds.reduce((s, x) => s + x.non2xx, 0),
      errors: rounds.reduce((s, x) => s + x.errors, 0),
    });
    const a = summary('POST /api/v1/users, no key', without);
    const b = summary('POST /api/v1/users, Idempotency-Key', withKey);
    console.table([a, b]);
    console.log(
      `idempotency check: ${(((a.rps - b.rps) / a.rps) * 100).toFixed(1)}% fewer requests/s (${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections, pool ${POOL}, database ${database.where})`,
    );
  } finally {
    await target.stop();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
