import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ballastEnv } from './ballast-env';
import { interleavedRounds, pairedMedian, rowsTable, type Variant } from './rounds';
import type { Target } from './processes';

/** How the scenario starts servers (the bench's launcher: pinned, stopped at the end). */
export type Launch = (name: string, script: string, env: Record<string, string>, readyPath: string) => Promise<Target>;

/** What `BENCH_ONLY=idempotency` (and the full bench) needs from the run. */
export interface IdempotencyScenarioOptions {
  launch: Launch;
  databaseUrl: string;
  /** dist/ of this build. */
  root: string;
  pool: string;
  rounds: number;
  seconds: number;
  /** Another build's dist/main.js (BENCH_BASE_ROOT/dist/main.js) measured in the same rounds: before and after. */
  baseMain?: string;
}

/** Connections of the write bench: fewer than the read's (every request a commit; the pool is 10). */
const CONNECTIONS = Number(process.env['BENCH_IDEMPOTENCY_CONNECTIONS'] ?? 32);

/** Each request creates a new user (unique email), keyed with a fresh Idempotency-Key or not: both do the same write. */
function createUsers(keyed: boolean): Variant['load'] {
  const tag = randomUUID().slice(0, 8);
  let n = 0;
  return {
    path: '/api/v1/users',
    method: 'POST',
    body: () => JSON.stringify({ email: `b-${tag}-${keyed ? 'k' : 'u'}-${n++}@example.com`, name: 'Bench' }),
    headers: (): Record<string, string> => (keyed ? { 'idempotency-key': randomUUID() } : {}),
  };
}

/**
 * The price of safe retries: POST /api/v1/users without a key and with a fresh key per request, on the same server
 * and database, interleaved (A B A B …); with `baseMain`, the other build's server too, in the same rounds.
 * Returns the report section and fills `json.idempotency`.
 */
export async function idempotencyScenario(options: IdempotencyScenarioOptions, json: Record<string, unknown>): Promise<string> {
  const env = ballastEnv(options.databaseUrl, options.pool, CONNECTIONS, { LOG_LEVEL: 'warn' });
  const servers: Array<[string, string]> = [['this build', join(options.root, 'dist', 'main.js')]];
  if (options.baseMain) servers.push(['base', options.baseMain]);
  const variants: Variant[] = [];
  for (const [label, main] of servers) {
    const target = await options.launch(`ballast ${label} (writes)`, main, env, '/health/ready');
    variants.push({ name: `${label}: no key`, target, load: createUsers(false) });
    variants.push({ name: `${label}: Idempotency-Key`, target, load: createUsers(true) });
  }
  for (const v of variants) await interleavedRounds([v], 1, CONNECTIONS, 3); // warm-up: JIT, pool
  process.stdout.write(
    `\n# idempotency, POST /api/v1/users — ${options.rounds} rounds × ${options.seconds} s, ${CONNECTIONS} connections\n`,
  );
  const rows = await interleavedRounds(variants, options.rounds, CONNECTIONS, options.seconds);
  const lines: string[] = [];
  const ratios: Record<string, unknown> = {};
  for (let i = 0; i < rows.length; i += 2) {
    const [unkeyed, keyed] = [rows[i], rows[i + 1]];
    const rps = pairedMedian(keyed, unkeyed, (k, u) => k.rps / u.rps);
    const p99 = pairedMedian(keyed, unkeyed, (k, u) => (k.p99 ?? NaN) / (u.p99 ?? NaN));
    ratios[servers[i / 2]?.[0] ?? ''] = { rps, p99 };
    lines.push(
      `- ${servers[i / 2]?.[0]}: keyed/unkeyed **${rps.value.toFixed(2)}** by req/s (rounds ${rps.min.toFixed(2)}–${rps.max.toFixed(2)}; goal ≥ 0.80), ` +
        `p99 **${p99.value.toFixed(2)}×** (rounds ${p99.min.toFixed(2)}–${p99.max.toFixed(2)}; goal ≤ 1.3×)`,
    );
  }
  json['idempotency'] = { connections: CONNECTIONS, rows, ratios };
  return (
    `## Safe retries: POST /api/v1/users with and without an Idempotency-Key (goals: keyed ≥ 0.80 of unkeyed req/s, p99 ≤ 1.3×)\n\n` +
    `${rowsTable(rows)}\n\n${lines.join('\n')}\n\nEvery request creates a new user; keyed ones carry a fresh key. ` +
    `Ratios are the median over rounds of the ratio within a round (the two variants ran back to back on one server).`
  );
}
