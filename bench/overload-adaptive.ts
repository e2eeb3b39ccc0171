import autocannon from 'autocannon';
import { Agent, request } from 'undici';
import { join } from 'node:path';
import { createBenchDatabase } from './lib/database';
import { canPin, pinSelf, startTarget, type Target } from './lib/processes';

/**
 * Overload when the route's cost changes mid-run: CONNECTIONS closed-loop clients on a route that runs one
 * `pg_sleep(DB_MS)` query; for the middle third of the run the database is SLOW_FACTOR× slower (SIGUSR2 to the
 * server toggles it). Compared in one run, one after the other on the same machine: Ballast with the fixed cap,
 * Ballast with HTTP_CONCURRENCY_LIMIT=adaptive, and plain node:http + pg applying the fixed cap. DB permits and
 * the pool wait are opened up, so the in-flight limit at the edge is the only protection that differs.
 * Reports per phase (before / slowed / after): goodput (2xx/s), admitted p50/p99, shed (503) p99, the limit,
 * and each server's peak RSS.
 *   npm run build && npx tsc -p tsconfig.bench.json && node dist-bench/bench/overload-adaptive.js
 * Env: OVERLOAD_ADAPTIVE_SECONDS (30; a smoke run: 9), _CONNECTIONS (2000), _LIMIT (1000, the fixed cap),
 * _MIN / _MAX (20 / 1000, the adaptive bounds), _DB_MS (5), _SLOW_FACTOR (10), _POOL (20), _RATE (0: closed loop; else req/s in all).
 */
const env = (name: string, fallback: number) => Number(process.env[`OVERLOAD_ADAPTIVE_${name}`] ?? fallback);
const SECONDS = env('SECONDS', 30);
const CONNECTIONS = env('CONNECTIONS', 2000);
const LIMIT = env('LIMIT', 1000);
const MIN = env('MIN', 20);
const MAX = env('MAX', 1000);
const DB_MS = env('DB_MS', 5);
const SLOW_FACTOR = env('SLOW_FACTOR', 10);
const POOL = env('POOL', 20);
/**
 * Arrivals per second in all; 0: closed loop, every connection resends the moment it is answered. The open loop
 * sends on its own clock, evenly spread (a batch every OPEN_TICK_MS), whatever the answers do: autocannon's
 * `overallRate` is not that — each connection sends, waits for its answer, then for its own 1 s timer, and all the
 * timers start together, so 2,000 connections at 2,000 req/s arrive as one burst of 2,000 once a second.
 */
const RATE = env('RATE', 0);
const OPEN_TICK_MS = 5;
const PHASES = ['before', 'slowed', 'after'] as const;
type Phase = (typeof PHASES)[number];

/** One answered request: when it was sent (ms since the run began; the warm-up is before 0), its status and latency (ms). */
type Sample = [sentAt: number, status: number, ms: number];

/** One row of the report: a target in a phase. */
export interface OverloadAdaptiveRow {
  target: string;
  phase: Phase;
  goodput: number;
  admittedP50: number;
  admittedP99: number;
  shedP99: number;
  shed: number;
  other: number;
  limitMedian: number;
  peakRssMiB: number;
  /** Socket errors and timeouts over the whole run of the target (not per phase). */
  errors: number;
}

/**
 * The open loop: RATE requests a second for `totalMs`, a batch every OPEN_TICK_MS on a fixed schedule, over at most
 * CONNECTIONS connections (undici queues beyond them). Latency counts from the scheduled send time, so waiting for a
 * free connection is the server's latency too (no coordinated omission). Resolves, once every answer is in or has
 * timed out (30 s), with the number of failed requests.
 */
async function openLoop(url: string, totalMs: number, started: number, samples: Sample[]): Promise<number> {
  const agent = new Agent({ connections: CONNECTIONS, pipelining: 1, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const pending: Promise<void>[] = [];
  let failures = 0;
  let sent = 0;
  const send = (scheduledAt: number) => {
    pending.push(
      request(url, { dispatcher: agent })
        .then(async (res) => {
          await res.body.dump();
          samples.push([scheduledAt, res.statusCode, performance.now() - started - scheduledAt]);
        })
        .catch(() => {
          failures++;
        }),
    );
  };
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now() - started;
      // Catch up to the schedule: every request due by now, each stamped with its own due time.
      const due = Math.floor((Math.min(now, totalMs) * RATE) / 1000);
      for (; sent < due; sent++) send((sent * 1000) / RATE);
      if (now >= totalMs) {
        clearInterval(timer);
        resolve();
      }
    }, OPEN_TICK_MS);
  });
  await Promise.all(pending);
  await agent.close();
  return failures;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function phaseOf(sentAt: number, totalMs: number): Phase {
  return PHASES[Math.min(2, Math.floor((3 * sentAt) / totalMs))];
}

async function concurrencyLimit(port: number): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
    return Number(/^http_concurrency_limit (\S+)/m.exec(text)?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

async function measure(target: Target, isBallast: boolean): Promise<OverloadAdaptiveRow[]> {
  const url = `http://127.0.0.1:${target.port}/bench/db`;
  // Warm-up (JIT, pool) below any limit.
  await autocannon({ url, connections: Math.min(MIN, 50), duration: 2 });
  const totalMs = SECONDS * 1000;
  const samples: Sample[] = [];
  const limits: Array<[number, number]> = [];
  const started = performance.now();
  const toggles = [totalMs / 3, (2 * totalMs) / 3].map((at) => setTimeout(() => target.child.kill('SIGUSR2'), at));
  const poll = isBallast
    ? setInterval(() => void concurrencyLimit(target.port).then((l) => limits.push([performance.now() - started, l])), 500)
    : undefined;
  const failures =
    RATE > 0
      ? await openLoop(url, totalMs, started, samples)
      : await new Promise<number>((resolve, reject) => {
          const instance = autocannon({ url, connections: CONNECTIONS, duration: SECONDS, timeout: 30 }, (error, res) =>
            error ? reject(error as Error) : resolve(res.errors + res.timeouts),
          );
          instance.on('response', (_client, status, _bytes, responseTime) => {
            const now = performance.now() - started;
            samples.push([now - responseTime, status, responseTime]);
          });
        });
  toggles.forEach(clearTimeout);
  clearInterval(poll);
  const peak = target.peakRssMiB();
  const phaseMs = totalMs / 3;
  return PHASES.map((phase) => {
    const mine = samples.filter(([sentAt]) => sentAt >= 0 && phaseOf(sentAt, totalMs) === phase);
    // Goodput by answer time (what the phase delivered); latencies by send time (what a request sent then met).
    const answered = samples.filter(
      ([sentAt, s, ms]) => s >= 200 && s < 300 && phaseOf(sentAt + ms, totalMs) === phase && sentAt + ms <= totalMs,
    ).length;
    const ok = mine
      .filter(([, s]) => s >= 200 && s < 300)
      .map(([, , ms]) => ms)
      .sort((a, b) => a - b);
    const shed = mine
      .filter(([, s]) => s === 503)
      .map(([, , ms]) => ms)
      .sort((a, b) => a - b);
    const phaseLimits = limits
      .filter(([at]) => phaseOf(at, totalMs) === phase && at < totalMs)
      .map(([, l]) => l)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    return {
      target: target.name,
      phase,
      goodput: Math.round(answered / (phaseMs / 1000)),
      admittedP50: Math.round(percentile(ok, 50)),
      admittedP99: Math.round(percentile(ok, 99)),
      shedP99: Math.round(percentile(shed, 99)),
      shed: shed.length,
      other: mine.length - ok.length - shed.length,
      limitMedian: isBallast ? percentile(phaseLimits, 50) : LIMIT,
      peakRssMiB: Math.round(peak),
      errors: failures,
    };
  });
}

/** Runs the three targets one after the other and returns the rows and a markdown table. */
export async function overloadAdaptive(databaseUrl: string): Promise<{ rows: OverloadAdaptiveRow[]; markdown: string }> {
  const ballast = join(__dirname, 'overload-server.js');
  const common = {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_SECOND: '1000000',
    RATE_LIMIT_BURST: '1000000',
    HTTP_MAX_CONNECTIONS: String(CONNECTIONS * 2),
    DB_POOL_MAX: String(POOL),
    DB_POOL_MIN: String(POOL),
    // Permits and the pool wait out of the way: what differs between the targets is the edge's in-flight limit.
    DB_PERMITS: String(Math.max(LIMIT, MAX) * 2),
    DB_ACQUIRE_TIMEOUT_MS: '25000',
    BENCH_DB_MS: String(DB_MS),
    BENCH_SLOW_FACTOR: String(SLOW_FACTOR),
    BENCH_BACKLOG: '4096',
  };
  const targets: Array<[string, string, Record<string, string>, boolean]> = [
    [`ballast fixed cap ${LIMIT}`, ballast, { ...common, HTTP_CONCURRENCY_LIMIT: String(LIMIT) }, true],
    [
      `ballast adaptive ${MIN}-${MAX}`,
      ballast,
      { ...common, HTTP_CONCURRENCY_LIMIT: 'adaptive', HTTP_CONCURRENCY_LIMIT_MIN: String(MIN), HTTP_CONCURRENCY_LIMIT_MAX: String(MAX) },
      true,
    ],
    [
      `node:http + pg, fixed cap ${LIMIT}`,
      join(__dirname, 'overload-raw-server.js'),
      { ...common, HTTP_CONCURRENCY_LIMIT: String(LIMIT) },
      false,
    ],
  ];
  const rows: OverloadAdaptiveRow[] = [];
  for (const [name, script, targetEnv, isBallast] of targets) {
    const target = await startTarget(name, script, targetEnv, 0, '/bench/db');
    try {
      rows.push(...(await measure(target, isBallast)));
    } finally {
      await target.stop();
    }
  }
  const head =
    '| target | phase | goodput 2xx/s | admitted p50 ms | admitted p99 ms | shed 503 p99 ms | shed | other | limit (median) | peak RSS MiB | errors+timeouts (run) |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map(
    (r) =>
      `| ${r.target} | ${r.phase} | ${r.goodput} | ${r.admittedP50} | ${r.admittedP99} | ${r.shedP99} | ${r.shed} | ${r.other} | ${r.limitMedian} | ${r.peakRssMiB} | ${r.errors} |`,
  );
  const markdown =
    `${CONNECTIONS} connections, ${RATE > 0 ? `open loop: ${RATE} req/s in all, evenly spread (a batch every ${OPEN_TICK_MS} ms), at most ${CONNECTIONS} connections` : 'closed loop'}, ${SECONDS} s per target; route: one pg_sleep(${DB_MS} ms) query, ${SLOW_FACTOR}× slower for the middle third ("slowed"); ` +
    `pool ${POOL}; goodput by answer time, latencies by send time (a request still in flight when the run ends is not counted)${canPin ? '; server on core 0, load on core 1' : ''}.\n\n${[head, ...lines].join('\n')}`;
  return { rows, markdown };
}

if (require.main === module) {
  void (async () => {
    pinSelf(1);
    const db = await createBenchDatabase();
    try {
      const { markdown } = await overloadAdaptive(db.url);
      process.stdout.write(`\n## Overload when the database slows down ${SLOW_FACTOR}×: fixed cap vs adaptive\n\n${markdown}\n`);
    } finally {
      await db.drop();
    }
  })().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
}
