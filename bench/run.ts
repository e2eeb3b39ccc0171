import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ballastEnv as ballastEnvOf } from './lib/ballast-env';
import { startBenchIdentity } from './lib/identity';
import { checkConnectionRoom, createBenchDatabase, pinDatabaseBackends, seedUsers } from './lib/database';
import { budgetTable, computeBudget, MIN_RATIO_OF_BARE, type PairLine, type PairRounds, paired, type Protection } from './lib/budget';
import { idempotencyScenario } from './lib/idempotency-scenario';
import { loadGenerator, median, runLoad } from './lib/load';
import { type Measured, type Row, rowsTable } from './lib/rounds';
import { tracingScenario } from './lib/tracing-scenario';
import { canPin, pinSelf, SERVER_NODE_OPTIONS, startTarget, type Target } from './lib/processes';

/**
 * `npm run bench`: raw node:http + pg, bare NestJS + TypeORM and Ballast with everything on, serving the same
 * PostgreSQL read and a trivial JSON route, measured in interleaved rounds (A B C A B C …) so machine drift hits
 * all alike; servers pinned to core 0, this load generator and the bench database's PostgreSQL backends to core
 * 1, so the server core runs nothing but the server. Bounded: BENCH_ROUNDS × targets × BENCH_SECONDS.
 * BENCH_ONLY=hotpath: only the hot path (both routes, the one-off variants, the CPU budget of issue #21);
 * no tracing-sampled variants, growth or overload runs. BENCH_ONLY=tracing: only the tracing scenario (without
 * tracing, off, 10 %, 100 % on the DB read); BENCH_ONLY=idempotency: only keyed vs unkeyed creates. BENCH_BASE_ROOT
 * (another checkout, built) adds its servers to those two scenarios' rounds: before and after in one run.
 */
const ROOT = join(__dirname, '..', '..');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
/** Warm-up per target and route before the rounds (JIT, pools): V8 keeps optimising NestJS and TypeORM for seconds. */
const WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 5);
/**
 * Concurrent pairs for the budget's CPU lines (0: off, the interleaved rounds are used): rounds per pair and their
 * length. Two targets loaded at the same time on the same core meet the same machine, so their difference per
 * request is free of the drift that moves sequential rounds by tens of µs.
 */
const PAIR_ROUNDS = Number(process.env['BENCH_PAIR_ROUNDS'] ?? 6);
const PAIR_SECONDS = Number(process.env['BENCH_PAIR_SECONDS'] ?? 3);
/**
 * Pairs on the DB read too (BENCH_PAIR_DB=1). Off by default: there the two servers also share PostgreSQL on the
 * load core, and on 2026-12-02 the pairs were no steadier than the interleaved rounds (docs/performance.md).
 */
const PAIR_DB = process.env['BENCH_PAIR_DB'] === '1';
const SERVER_CORE = 0;
const LOAD_CORE = 1;
/** Pool size of every target: 9 servers run side by side on the hot path and PostgreSQL's default max_connections is 100. */
const POOL = process.env['BENCH_POOL'] ?? '10';
const ONLY = process.env['BENCH_ONLY'] ?? '';
/** What this run measures: everything, or one scenario alone (BENCH_ONLY=hotpath | tracing | idempotency). */
const RUN = {
  hotPath: ONLY === '' || ONLY === 'hotpath',
  tracing: ONLY === '' || ONLY === 'tracing',
  idempotency: ONLY === '' || ONLY === 'idempotency',
  rest: ONLY === '',
};
/** Another checkout, built (`npm run build` and `tsc -p tsconfig.bench.json`), measured in the same rounds: before and after. */
const BASE_ROOT = process.env['BENCH_BASE_ROOT'];
/** The JSON route: the framework floor, no database. */
const JSON_PATH = '/bench/json';
const TARGETS = join(ROOT, 'dist-bench', 'bench', 'targets');
/** Ballast for the hot path: src/main.ts plus GET /bench/json (bench/targets/ballast-bench.ts), one server for both routes. */
const BALLAST_BENCH = join(TARGETS, 'ballast-bench.js');

/** Ballast's bench settings (lib/ballast-env.ts) with this run's pool and connections. */
function ballastEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return ballastEnvOf(databaseUrl, POOL, CONNECTIONS, extra);
}

const round2 = (x: number) => Math.round(x * 100) / 100;

function summarise(target: Target, runs: Measured[]): Row {
  return {
    name: target.name,
    rps: Math.round(median(runs.map((r) => r.rps))),
    cpuUs: Math.round(median(runs.map((r) => r.cpuUs))),
    util: Math.round(median(runs.map((r) => r.util))),
    p50: round2(median(runs.map((r) => r.p50))),
    p99: round2(median(runs.map((r) => r.p99))),
    peakRssMiB: Math.round(target.peakRssMiB()),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors + r.timeouts, 0),
    rounds: runs.map((r) => ({ cpuUs: r.cpuUs, rps: r.rps })),
  };
}

/** Loads each target on `path` for the warm-up (JIT, and the pools of raw and bare, which open on demand). */
async function warmUp(targets: Target[], path: string): Promise<void> {
  for (const t of targets) await runLoad({ port: t.port, path, connections: CONNECTIONS, durationSec: WARMUP_SECONDS });
}

/** Runs `targets` (warmed up) round-robin for ROUNDS rounds on `path`; one row per target, in their order. */
async function interleaved(targets: Target[], path: string): Promise<Row[]> {
  const runs = new Map<Target, Measured[]>(targets.map((t) => [t, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const t of targets) {
      const cpuBefore = t.cpuSeconds();
      const started = performance.now();
      const load = await runLoad({ port: t.port, path, connections: CONNECTIONS, durationSec: SECONDS });
      const cpu = t.cpuSeconds() - cpuBefore;
      const r: Measured = {
        ...load,
        cpuUs: (cpu * 1e6) / Math.max(1, load.requests),
        util: (100 * cpu * 1000) / (performance.now() - started),
      };
      runs.get(t)?.push(r);
      process.stdout.write(
        `  round ${round} ${t.name.padEnd(28)} ${Math.round(r.rps).toString().padStart(7)} req/s  ${Math.round(r.cpuUs)} µs CPU/req  core ${Math.round(r.util)} %  p50 ${r.p50} ms  p99 ${r.p99} ms  non2xx ${r.non2xx}\n`,
      );
    }
  }
  return targets.map((t) => summarise(t, runs.get(t) ?? []));
}

/**
 * `a` and `b` under load at the same time, half the connections each, both servers on the server core: per round
 * each one's CPU per request (scheduler nanoseconds, all threads) and req/s. After a joint 2 s warm-up: the first
 * seconds of sharing a core run slower for both (caches, the scheduler settling).
 */
async function concurrentPair(a: Target, b: Target, path: string): Promise<PairRounds> {
  const connections = Math.max(1, Math.round(CONNECTIONS / 2));
  const both = [a, b];
  await Promise.all(both.map((t) => runLoad({ port: t.port, path, connections, durationSec: 2 })));
  const rounds: PairRounds = { a: [], b: [] };
  for (let round = 1; round <= PAIR_ROUNDS; round++) {
    const before = both.map((t) => t.schedCpuSeconds());
    const loads = await Promise.all(both.map((t) => runLoad({ port: t.port, path, connections, durationSec: PAIR_SECONDS })));
    const [fa, fb] = both.map((t, i) => ({
      cpuUs: ((t.schedCpuSeconds() - before[i]) * 1e6) / Math.max(1, loads[i].requests),
      rps: loads[i].rps,
    }));
    rounds.a.push(fa);
    rounds.b.push(fb);
    process.stdout.write(
      `  pair round ${round} ${a.name} ${fa.cpuUs.toFixed(1)} µs/req | ${b.name} ${fb.cpuUs.toFixed(1)} µs/req | difference ${(fa.cpuUs - fb.cpuUs).toFixed(1)} µs\n`,
    );
  }
  return rounds;
}

/** The concurrent pairs of one route's budget lines (none when BENCH_PAIR_ROUNDS=0). */
async function concurrentPairs(pairs: Array<[PairLine, Target, Target]>, path: string): Promise<Partial<Record<PairLine, PairRounds>>> {
  const out: Partial<Record<PairLine, PairRounds>> = {};
  if (PAIR_ROUNDS <= 0 || pairs.length === 0) return out;
  process.stdout.write(
    `\n# concurrent pairs, GET ${path} — ${PAIR_ROUNDS} rounds × ${PAIR_SECONDS} s, ${CONNECTIONS / 2} connections each\n`,
  );
  for (const [line, a, b] of pairs) out[line] = await concurrentPair(a, b, path);
  return out;
}

/** Ballast/bare and the references' ratios of one route's rows. */
function ratiosOf(raw: Row, bare: Row, ballast: Row) {
  return {
    ballastOverBare: ballast.rps / bare.rps,
    ballastOverRaw: ballast.rps / raw.rps,
    bareOverRaw: bare.rps / raw.rps,
    cpuBareOverBallast: bare.cpuUs / ballast.cpuUs,
  };
}

function routeSection(title: string, rows: Row[], raw: Row, bare: Row, ballast: Row): string {
  const ratios = ratiosOf(raw, bare, ballast);
  return (
    `## ${title}\n\n${rowsTable(rows, raw)}\n\n` +
    `Ballast/bare **${ratios.ballastOverBare.toFixed(2)}** by req/s, **${ratios.cpuBareOverBallast.toFixed(2)}** by server CPU per request (bare µs / Ballast µs) — ` +
    `medians of each; the budget below pairs the rounds instead (limit ≥ ${MIN_RATIO_OF_BARE}). Ballast/raw ${ratios.ballastOverRaw.toFixed(2)}, bare/raw ${ratios.bareOverRaw.toFixed(2)}. ` +
    `A target whose server core is below ~95 % busy was held back by the load core (load generator + PostgreSQL), not by its own CPU.`
  );
}

/** The one-off variants: one protection off at a time; the paired difference to "everything on" is its cost. */
const ONE_OFFS: Array<[Protection, string, Record<string, string>]> = [
  ['rate limiting', 'ballast − rate limit', { PROTECTIONS_DISABLED: 'rate_limit' }],
  ['HTTP metrics', 'ballast − HTTP metrics', { PROTECTIONS_DISABLED: 'http_metrics' }],
  ['request log line', 'ballast − request log', { LOG_LEVEL: 'warn' }],
  ['DB permits', 'ballast − DB permits', { PROTECTIONS_DISABLED: 'db_permits' }],
];
/** Which one-offs also run on the JSON route (DB permits and metrics are left to the DB read, to bound the time). */
const JSON_ONE_OFFS: Protection[] = ['rate limiting', 'request log line'];
/** Everything the four one-offs switch off, at once: what remains over bare is the rest of the edge. */
const EDGE_ONLY_ENV = { PROTECTIONS_DISABLED: 'rate_limit,http_metrics,db_permits', LOG_LEVEL: 'warn' };
/** Servers up at once on the hot path: raw, bare, everything on, 4 one-offs, edge only, without tracing. */
const HOT_PATH_SERVERS = 3 + ONE_OFFS.length + 2;

async function main(): Promise<void> {
  if (!['', 'hotpath', 'tracing', 'idempotency'].includes(ONLY))
    throw new Error(`BENCH_ONLY=${ONLY}: only "hotpath", "tracing" or "idempotency" (or unset, for everything) is known`);
  pinSelf(LOAD_CORE);
  await startBenchIdentity();
  const started = Date.now();
  const db = await createBenchDatabase();
  const targets: Target[] = [];
  /** Starts a target and keeps it for the `finally` below. */
  const launch = async (name: string, script: string, env: Record<string, string>, readyPath: string): Promise<Target> => {
    const t = await startTarget(name, script, env, SERVER_CORE, readyPath);
    targets.push(t);
    return t;
  };
  let pinnedBackends: number | undefined;
  const report: string[] = [];
  const json: Record<string, unknown> = { only: ONLY === '' ? 'all' : ONLY };
  let budget = '';
  try {
    if (RUN.hotPath) budget = await hotPath();
    else if (RUN.tracing) {
      const off = await launch('ballast, tracing off', BALLAST_BENCH, ballastEnv(db.url), '/api/v1/users');
      const id = await seedUsers(db.url, 1000);
      report.push(await tracing(off, undefined, `/api/v1/users/${id}`));
    }
    if (RUN.idempotency) {
      report.push(
        await idempotencyScenario(
          {
            launch,
            databaseUrl: db.url,
            root: ROOT,
            pool: POOL,
            rounds: ROUNDS,
            seconds: SECONDS,
            baseMain: BASE_ROOT === undefined ? undefined : join(BASE_ROOT, 'dist', 'main.js'),
          },
          json,
        ),
      );
    }
  } finally {
    await Promise.all(targets.map((t) => t.stop()));
    await db.drop();
  }

  /** The tracing scenario on the DB read (its own interleaved rounds). */
  async function tracing(off: Target, untraced: Target | undefined, path: string): Promise<string> {
    return tracingScenario(
      {
        launch,
        env: (extra) => ballastEnv(db.url, extra),
        databaseUrl: db.url,
        targets: TARGETS,
        path,
        rounds: ROUNDS,
        seconds: SECONDS,
        connections: CONNECTIONS,
        loadCore: LOAD_CORE,
        warmUp,
        off,
        untraced,
        baseTargets: BASE_ROOT === undefined ? undefined : join(BASE_ROOT, 'dist-bench', 'bench', 'targets'),
      },
      json,
    );
  }

  /** The hot path (both routes, the one-offs, the budget), then with everything the tracing scenario and growth. */
  async function hotPath(): Promise<string> {
    await checkConnectionRoom(
      db.url,
      HOT_PATH_SERVERS * Number(POOL) + 2,
      `the hot path's ${HOT_PATH_SERVERS} servers × BENCH_POOL ${POOL}`,
    );
    // Ballast first: it migrates the schema the others read.
    const ballast = await launch('ballast (everything on)', BALLAST_BENCH, ballastEnv(db.url), '/api/v1/users');
    const id = await seedUsers(db.url, 1000);
    const path = `/api/v1/users/${id}`;
    const raw = await launch('raw node:http + pg', join(TARGETS, 'raw-node.js'), { DATABASE_URL: db.url, DB_POOL_MAX: POOL }, path);
    const bare = await launch('bare NestJS + TypeORM', join(TARGETS, 'bare-nest.js'), { DATABASE_URL: db.url, DB_POOL_MAX: POOL }, path);
    const oneOffs = new Map<Protection, Target>();
    for (const [protection, name, extra] of ONE_OFFS)
      oneOffs.set(protection, await launch(name, BALLAST_BENCH, ballastEnv(db.url, extra), path));
    const edgeOnly = await launch('ballast edge only', BALLAST_BENCH, ballastEnv(db.url, EDGE_ONLY_ENV), path);
    // "Without tracing" never loads the register (bench/targets/ballast-untraced.ts); "everything on" loads it, off.
    const untracedMain = process.env['BENCH_UNTRACED_MAIN'] ?? join(TARGETS, 'ballast-untraced.js');
    const untraced = await launch('ballast without tracing', untracedMain, ballastEnv(db.url), path);

    const dbTargets = [raw, bare, ballast, ...oneOffs.values(), edgeOnly, untraced];
    const jsonTargets = [raw, bare, ballast, edgeOnly, ...JSON_ONE_OFFS.map((p) => oneOffs.get(p) as Target)];
    // Warm-up, which also fills every pool; then move the bench database's backends off the server core.
    await warmUp(dbTargets, path);
    await warmUp(jsonTargets, JSON_PATH);
    pinnedBackends = await pinDatabaseBackends(db.url, LOAD_CORE);

    process.stdout.write(`\n# GET /api/v1/users/:id — ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections, ${loadGenerator}\n`);
    const dbRows = await interleaved(dbTargets, path);
    process.stdout.write(`\n# GET ${JSON_PATH} — ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections, ${loadGenerator}\n`);
    const jsonRows = await interleaved(jsonTargets, JSON_PATH);
    const dbOf = (t: Target) => dbRows[dbTargets.indexOf(t)];
    const jsonOf = (t: Target) => jsonRows[jsonTargets.indexOf(t)];

    report.push(routeSection('GET /api/v1/users/:id (a real PostgreSQL read)', dbRows, dbOf(raw), dbOf(bare), dbOf(ballast)));
    report.push(
      routeSection(
        `GET ${JSON_PATH} (\`{"ok":true}\`, no database: the framework floor)`,
        jsonRows,
        jsonOf(raw),
        jsonOf(bare),
        jsonOf(ballast),
      ),
    );
    json['dbRoute'] = { rows: dbRows, ratios: ratiosOf(dbOf(raw), dbOf(bare), dbOf(ballast)) };
    json['jsonRoute'] = { rows: jsonRows, ratios: ratiosOf(jsonOf(raw), jsonOf(bare), jsonOf(ballast)) };

    const on = dbOf(ballast);
    const costs = ONE_OFFS.map(([protection]) => {
      const row = dbOf(oneOffs.get(protection) as Target);
      const cpuCostUs = paired(on.rounds, row.rounds, (a, b) => a.cpuUs - b.cpuUs).value;
      return {
        protection,
        rps: row.rps,
        costOfBare: (row.rps - on.rps) / dbOf(bare).rps,
        cpuUs: row.cpuUs,
        cpuCostUs,
        cpuCostOfBare: cpuCostUs / dbOf(bare).cpuUs,
      };
    });
    json['perFeature'] = { variants: ONE_OFFS.map(([p]) => dbOf(oneOffs.get(p) as Target)), costs };
    report.push(
      `## Cost of each protection on the DB read (same run)\n\n` +
        `By throughput: (req/s without it − req/s with everything) / bare req/s. By CPU: median over rounds of (µs/req with everything − µs/req without it), its share of bare µs/req.\n\n` +
        `| protection off | req/s | cost of bare (req/s) | server CPU µs/req | its CPU µs/req | cost of bare (CPU) |\n|---|---:|---:|---:|---:|---:|\n` +
        costs
          .map(
            (c) =>
              `| ${c.protection} | ${c.rps} | ${c.costOfBare.toFixed(3)} | ${c.cpuUs} | ${c.cpuCostUs.toFixed(1)} | ${c.cpuCostOfBare.toFixed(3)} |`,
          )
          .join('\n'),
    );

    const offOf = (p: Protection) => oneOffs.get(p) as Target;
    const dbPairs = await concurrentPairs(
      PAIR_DB
        ? [
            ...ONE_OFFS.map(([p]): [PairLine, Target, Target] => [p, ballast, offOf(p)]),
            ['tracing off', ballast, untraced],
            ['edge', edgeOnly, bare],
            ['all', ballast, bare],
          ]
        : [],
      path,
    );
    const jsonPairs = await concurrentPairs(
      [...JSON_ONE_OFFS.map((p): [PairLine, Target, Target] => [p, ballast, offOf(p)]), ['edge', edgeOnly, bare], ['all', ballast, bare]],
      JSON_PATH,
    );
    json['concurrentPairs'] = { rounds: PAIR_ROUNDS, seconds: PAIR_SECONDS, db: dbPairs, json: jsonPairs };
    const budgetLines = computeBudget({
      db: {
        on: on.rounds,
        bare: dbOf(bare).rounds,
        edgeOnly: dbOf(edgeOnly).rounds,
        untraced: dbOf(untraced).rounds,
        without: Object.fromEntries(ONE_OFFS.map(([p]) => [p, dbOf(oneOffs.get(p) as Target).rounds])),
        concurrent: dbPairs,
      },
      json: {
        on: jsonOf(ballast).rounds,
        bare: jsonOf(bare).rounds,
        edgeOnly: jsonOf(edgeOnly).rounds,
        without: Object.fromEntries(JSON_ONE_OFFS.map((p) => [p, jsonOf(oneOffs.get(p) as Target).rounds])),
        concurrent: jsonPairs,
      },
      peakRssMiB: { ballast: ballast.peakRssMiB(), bare: bare.peakRssMiB() },
    });
    json['budget'] = budgetLines;
    const budget =
      `## CPU budget of the hot path (issue #21; reported, not asserted)\n\n${budgetTable(budgetLines)}\n\n` +
      (PAIR_ROUNDS > 0
        ? `CPU µs per request of the server process (all threads). Lines marked "(concurrent pair)" (the JSON route${PAIR_DB ? ' and the DB read' : ''}): ` +
          `the two targets loaded at the same time on the server core, ${CONNECTIONS / 2} connections each, ${PAIR_ROUNDS} rounds × ${PAIR_SECONDS} s, ` +
          `scheduler nanoseconds; the others (and every throughput ratio) from the ${ROUNDS} interleaved rounds (/proc), the two targets ` +
          `back to back. Each line is the median over rounds of the difference within a round, the spread its min–max. "X off" is Ballast with `
        : `CPU µs per request of the server process (all threads, /proc), ${ROUNDS} rounds: each line is the median over rounds of ` +
          `the difference within a round (the two targets ran back to back), the spread its min–max. "X off" is Ballast with `) +
      `everything on but X (rate limit, HTTP metrics, DB permits: PROTECTIONS_DISABLED; the request line: LOG_LEVEL=warn); ` +
      `"edge only" has all four off. Peak RSS is VmHWM since start (both routes, warm-ups included).`;
    await Promise.all([...oneOffs.values(), edgeOnly].map((t) => t.stop()));
    if (RUN.tracing) report.push(await tracing(ballast, untraced, path));
    if (RUN.rest) {
      // Growth: 100,000 distinct rate-limit clients (X-Forwarded-For from a trusted loopback proxy), then 10,000
      // requests to unknown paths: RSS and the number of /metrics series before and after.
      const growth = await launch(
        'ballast (growth)',
        join(ROOT, 'dist', 'main.js'),
        ballastEnv(db.url, {
          TRUST_PROXY: 'loopback',
          LOG_LEVEL: 'warn',
          // Slow refill, so every one of the 100,000 buckets stays live (a full bucket is evicted once idle).
          RATE_LIMIT_PER_SECOND: '1',
          RATE_LIMIT_BURST: '1000',
          RATE_LIMIT_MAX_KEYS: '200000',
        }),
        path,
      );
      report.push(await growthSection(growth, path, json));
      await growth.stop();
    }
    return budget;
  }

  if (RUN.rest) report.push(...overloadSections(json));
  if (budget) report.push(budget);

  const machine =
    `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ` +
    `${canPin ? `servers pinned to core 0; load generator (${loadGenerator}) and ${pinnedBackends} PostgreSQL backends of the bench database to core 1` : `no taskset: unpinned; load generator ${loadGenerator}`}, ` +
    `PostgreSQL ${db.where}, servers' NODE_OPTIONS "${SERVER_NODE_OPTIONS}" (the chart's default heap)`;
  const header =
    `# Ballast benchmark — ${new Date().toISOString()}${ONLY ? ` (BENCH_ONLY=${ONLY})` : ''}\n\n` +
    `${machine}. ${ROUNDS} interleaved rounds of ${SECONDS} s per target; medians.\n`;
  const markdown = [header, ...report].join('\n\n') + `\n\n(total bench time ${Math.round((Date.now() - started) / 1000)} s)\n`;
  const out = join(ROOT, '.bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.md'), markdown);
  writeFileSync(
    join(out, 'results.json'),
    JSON.stringify({ machine, rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, ...json }, null, 2),
  );
  // The budget last, where the eye lands when the run ends.
  process.stdout.write(`\n${markdown}\nwritten to .bench/results.md and .bench/results.json\n\n${budget}\n`);
}

/** Growth of `growth` under 100,000 distinct clients and 10,000 unknown paths; fills json.growth. */
async function growthSection(growth: Target, path: string, json: Record<string, unknown>): Promise<string> {
  const metrics = async () => (await fetch(`http://127.0.0.1:${growth.port}/metrics`)).text();
  const series = async () => (await metrics()).split('\n').filter((l) => l && !l.startsWith('#')).length;
  const heapMiB = async () => Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(await metrics())?.[1] ?? NaN) / 2 ** 20;
  const bucketGauge = async () => Number(/^rate_limit_buckets(?:\{[^}]*\})? (\d+)/m.exec(await metrics())?.[1] ?? NaN);
  await runLoad({ port: growth.port, path, connections: CONNECTIONS, durationSec: 2 });
  const rssBefore = growth.rssMiB();
  const heapBefore = await heapMiB();
  let client = 0;
  const clients = await runLoad({
    port: growth.port,
    path,
    connections: CONNECTIONS,
    durationSec: 120,
    amount: 100_000,
    headers: () => {
      const n = client++;
      return { 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` };
    },
  });
  const rssAfterClients = growth.rssMiB();
  const heapAfter = await heapMiB();
  const buckets = await bucketGauge();
  const seriesBefore = await series();
  const unknown = await runLoad({
    port: growth.port,
    path: () => `/scan/${Math.random().toString(36).slice(2)}`,
    connections: CONNECTIONS,
    durationSec: 60,
    amount: 10_000,
  });
  const seriesAfter = await series();
  json['growth'] = {
    rssBefore,
    rssAfterClients,
    heapBefore,
    heapAfter,
    buckets,
    clientRequests: clients.requests,
    clientNon2xx: clients.non2xx,
    seriesBefore,
    seriesAfter,
    unknownRequests: unknown.requests,
  };
  return (
    `## Growth\n\n| measure | value |\n|---|---:|\n` +
    `| RSS before, MiB | ${rssBefore.toFixed(0)} |\n` +
    `| RSS after ${clients.requests} requests from 100,000 distinct clients, MiB | ${rssAfterClients.toFixed(0)} (+${(rssAfterClients - rssBefore).toFixed(0)}) |\n` +
    `| V8 heap used before → after, MiB | ${heapBefore.toFixed(0)} → ${heapAfter.toFixed(0)} (+${(heapAfter - heapBefore).toFixed(0)}) |\n` +
    `| rate-limit buckets held (rate_limit_buckets) | ${buckets} |\n` +
    `| /metrics series before → after ${unknown.requests} requests to random unknown paths | ${seriesBefore} → ${seriesAfter} |`
  );
}

/**
 * The overload runs (their own processes, databases and bounds); fills json.overload and json.overloadAdaptive.
 * 10x the HTTP concurrency limit on a slow route (bench/overload.ts), twice:
 * - open loop: 10,000 connections sending 10,000 req/s in all (10x what the limit of 1,000 in-flight × 1 s
 *   admits), the way independent users arrive;
 * - closed loop: 10,000 connections each resending the moment it is answered (a retry storm that ignores
 *   Retry-After): latency is then the connections over the server's refusal rate, whatever the server does.
 * Then the route's cost changing mid-run (bench/overload-adaptive.ts): the database 10x slower for the middle
 * third; fixed cap vs adaptive vs node:http + pg, closed loop and open loop. OVERLOAD_ADAPTIVE_SECONDS (30 per
 * target) and the other OVERLOAD_ADAPTIVE_* pass through.
 */
function overloadSections(json: Record<string, unknown>): string[] {
  const sections: string[] = [];
  const overloadBase = {
    OVERLOAD_CONNECTIONS: '10000',
    OVERLOAD_LIMIT: '1000',
    OVERLOAD_SLOW_MS: '1000',
    OVERLOAD_SECONDS: '10',
    OVERLOAD_BACKLOGS: '4096',
    OVERLOAD_RAW: '0',
  };
  const overloadRuns: Array<[string, Record<string, string>]> = [
    ['open loop: 10,000 connections sending 10,000 req/s', { ...overloadBase, OVERLOAD_RATE: '10000' }],
    ['closed loop: 10,000 connections resending at once', overloadBase],
  ];
  const overloadJson: Record<string, unknown> = {};
  for (const [title, env] of overloadRuns) {
    const overload = spawnSync(process.execPath, [join(__dirname, 'overload.js')], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 180_000,
      maxBuffer: 64 * 2 ** 20,
    });
    const text =
      `${overload.stdout ?? ''}${overload.status === 0 ? '' : `\n(overload run exited ${overload.status}: ${overload.stderr ?? ''})`}`.trim();
    process.stdout.write(`\n${text}\n`);
    overloadJson[title] = { env, output: text };
    sections.push(`## Overload, ${title} (HTTP_CONCURRENCY_LIMIT=1000, 1 s route)\n\n\`\`\`\n${text}\n\`\`\``);
  }
  json['overload'] = overloadJson;

  const adaptiveRuns: Array<[string, Record<string, string>]> = [
    ['closed loop', {}],
    ['open loop', { OVERLOAD_ADAPTIVE_RATE: process.env['OVERLOAD_ADAPTIVE_RATE'] ?? '2000' }],
  ];
  const adaptiveJson: Record<string, unknown> = {};
  for (const [title, env] of adaptiveRuns) {
    const run = spawnSync(process.execPath, [join(__dirname, 'overload-adaptive.js')], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 900_000,
      maxBuffer: 64 * 2 ** 20,
    });
    const text =
      `${run.stdout ?? ''}${run.status === 0 ? '' : `\n(overload-adaptive run exited ${run.status}: ${run.stderr ?? ''})`}`.trim();
    process.stdout.write(`\n${text}\n`);
    adaptiveJson[title] = { env, output: text };
    sections.push(`## Overload, database 10x slower mid-run, ${title}: fixed cap vs adaptive\n\n${text.replace(/^## [^\n]*\n+/, '')}`);
  }
  json['overloadAdaptive'] = adaptiveJson;
  return sections;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
