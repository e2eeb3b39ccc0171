import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createBenchDatabase, seedUsers } from './lib/database';
import { Client } from 'pg';
import { type LoadResult, loadGenerator, median, runLoad } from './lib/load';
import { freePort } from '../src/platform/database/free-port';
import { canPin, pinPids, pinSelf, SERVER_NODE_OPTIONS, startTarget, type Target } from './lib/processes';

/**
 * `npm run bench`: raw node:http + pg, bare NestJS + TypeORM and Ballast with everything on, serving the same
 * PostgreSQL read, measured in interleaved rounds (A B C A B C …) so machine drift hits all alike; servers
 * pinned to core 0, this load generator and the bench database's PostgreSQL backends to core 1, so the
 * server core runs nothing but the server. Bounded: BENCH_ROUNDS × targets × BENCH_SECONDS.
 */
const ROOT = join(__dirname, '..', '..');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
/** Warm-up per target before the rounds (JIT, pools): V8 keeps optimising NestJS and TypeORM for seconds. */
const WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 5);
const SERVER_CORE = 0;
const LOAD_CORE = 1;
/** Pool size of every target: 7 servers run side by side and PostgreSQL's default max_connections is 100. */
const POOL = process.env['BENCH_POOL'] ?? '10';

/** Ballast's production settings for the bench; the rate limit is high enough never to reject. */
function ballastEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    RATE_LIMIT_PER_SECOND: '1000000',
    RATE_LIMIT_BURST: '1000000',
    LOG_LEVEL: 'info',
    DB_POOL_MAX: POOL,
    DB_POOL_MIN: POOL,
    // Permits on (every checkout takes one) but above the bench's 50 connections: a permit is returned a
    // moment after the response, so DB_PERMITS = connections (its default, 50) sheds a few requests.
    DB_PERMITS: String(Math.max(50, CONNECTIONS * 2)),
    ...extra,
  };
}

interface Measured extends LoadResult {
  /** Server CPU (all threads) per request answered, µs. */
  cpuUs: number;
  /** Share of one core the server used during the run, %. */
  util: number;
}

interface Row {
  name: string;
  rps: number;
  cpuUs: number;
  util: number;
  p50: number;
  p99: number;
  peakRssMiB: number;
  non2xx: number;
  errors: number;
}

function summarise(target: Target, runs: Measured[]): Row {
  return {
    name: target.name,
    rps: Math.round(median(runs.map((r) => r.rps))),
    cpuUs: Math.round(median(runs.map((r) => r.cpuUs))),
    util: Math.round(median(runs.map((r) => r.util))),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    peakRssMiB: Math.round(target.peakRssMiB()),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors + r.timeouts, 0),
  };
}

/** Runs `targets` (warmed up) round-robin for ROUNDS rounds on `path` and returns one row per target. */
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

/** Pins the PostgreSQL backends serving the bench database to the load core (where permitted); returns how many. */
async function pinDatabaseBackends(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return pinPids(
      rows.map((r) => r.pid),
      LOAD_CORE,
    );
  } finally {
    await client.end();
  }
}

function table(rows: Row[], reference?: Row): string {
  const head =
    '| target | req/s (median) | server CPU µs/req | server core busy % | p50 ms | p99 ms | peak RSS MiB | non-2xx | errors |' +
    (reference ? ` req/s vs ${reference.name} |` : '');
  const sep = '|---|---:|---:|---:|---:|---:|---:|---:|---:|' + (reference ? '---:|' : '');
  const lines = rows.map(
    (r) =>
      `| ${r.name} | ${r.rps} | ${r.cpuUs} | ${r.util} | ${r.p50} | ${r.p99} | ${r.peakRssMiB} | ${r.non2xx} | ${r.errors} |` +
      (reference ? ` ${(r.rps / reference.rps).toFixed(2)} |` : ''),
  );
  return [head, sep, ...lines].join('\n');
}

async function main(): Promise<void> {
  pinSelf(LOAD_CORE);
  const started = Date.now();
  const db = await createBenchDatabase();
  const targets: Target[] = [];
  let pinnedBackends: number | undefined;
  const report: string[] = [];
  const json: Record<string, unknown> = {};
  try {
    const ballast = await startTarget(
      'ballast (everything on)',
      join(ROOT, 'dist', 'main.js'),
      ballastEnv(db.url),
      SERVER_CORE,
      '/api/v1/users',
    );
    targets.push(ballast);
    const id = await seedUsers(db.url, 1000);
    const path = `/api/v1/users/${id}`;
    const raw = await startTarget(
      'raw node:http + pg',
      join(ROOT, 'dist-bench', 'bench', 'targets', 'raw-node.js'),
      { DATABASE_URL: db.url, DB_POOL_MAX: POOL },
      SERVER_CORE,
      path,
    );
    const bare = await startTarget(
      'bare NestJS + TypeORM',
      join(ROOT, 'dist-bench', 'bench', 'targets', 'bare-nest.js'),
      { DATABASE_URL: db.url, DB_POOL_MAX: POOL },
      SERVER_CORE,
      path,
    );
    targets.push(raw, bare);

    // One protection off at a time, same run, same rounds: the difference to "everything on" is its cost.
    const variants: Array<[string, Record<string, string>]> = [
      ['ballast − rate limit', { PROTECTIONS_DISABLED: 'rate_limit' }],
      ['ballast − HTTP metrics', { PROTECTIONS_DISABLED: 'http_metrics' }],
      ['ballast − request log', { LOG_LEVEL: 'warn' }],
      ['ballast − DB permits', { PROTECTIONS_DISABLED: 'db_permits' }],
    ];
    const without: Target[] = [];
    for (const [name, extra] of variants)
      without.push(await startTarget(name, join(ROOT, 'dist', 'main.js'), ballastEnv(db.url, extra), SERVER_CORE, path));
    targets.push(...without);

    // Tracing: off is "ballast (everything on)"; sampled 10 % and 100 % export to a local OTLP sink (on the
    // load core) that accepts and discards; "without tracing" never loads the register (bench/targets).
    const sinkPort = await freePort();
    const sink = spawn(process.execPath, [join(ROOT, 'dist-bench', 'bench', 'targets', 'otlp-sink.js')], {
      env: { PATH: process.env['PATH'] ?? '', PORT: String(sinkPort) },
      stdio: 'ignore',
    });
    pinPids(sink.pid === undefined ? [] : [sink.pid], LOAD_CORE);
    const otlp = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}` };
    const untracedMain = process.env['BENCH_UNTRACED_MAIN'] ?? join(ROOT, 'dist-bench', 'bench', 'targets', 'ballast-untraced.js');
    const tracing: Target[] = [
      await startTarget('ballast without tracing', untracedMain, ballastEnv(db.url), SERVER_CORE, path),
      await startTarget(
        'ballast + tracing 10 %',
        join(ROOT, 'dist', 'main.js'),
        ballastEnv(db.url, { ...otlp, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }),
        SERVER_CORE,
        path,
      ),
      await startTarget(
        'ballast + tracing 100 %',
        join(ROOT, 'dist', 'main.js'),
        ballastEnv(db.url, { ...otlp, OTEL_TRACES_SAMPLER: 'parentbased_always_on' }),
        SERVER_CORE,
        path,
      ),
    ];
    targets.push(...tracing);

    process.stdout.write(`\n# GET /api/v1/users/:id — ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections, ${loadGenerator}\n`);
    const measured = [raw, bare, ballast, ...without, ...tracing];
    // Warm-up, which also fills every pool (bare and raw open connections on demand); then move the bench
    // database's backends off the server core.
    for (const t of measured) await runLoad({ port: t.port, path, connections: CONNECTIONS, durationSec: WARMUP_SECONDS });
    pinnedBackends = await pinDatabaseBackends(db.url);
    const all = await interleaved(measured, path);
    const rows = all.slice(0, 3);
    const [rawRow, bareRow, ballastRow] = rows as [Row, Row, Row];
    const tracingRows = all.slice(3 + without.length);
    const costs = all.slice(3, 3 + without.length).map((row) => ({
      protection: row.name.replace('ballast − ', ''),
      rps: row.rps,
      costOfBare: (row.rps - ballastRow.rps) / bareRow.rps,
      cpuUs: row.cpuUs,
      cpuCostUs: ballastRow.cpuUs - row.cpuUs,
      cpuCostOfBare: (ballastRow.cpuUs - row.cpuUs) / bareRow.cpuUs,
    }));
    json['perFeature'] = { variants: all.slice(3, 3 + without.length), costs };
    const [untracedRow] = tracingRows as [Row];
    const tracingTable = [{ ...ballastRow, name: 'ballast, tracing off' }, ...tracingRows];
    json['tracing'] = { rows: tracingTable, reference: untracedRow.name };
    report.push(
      `## Tracing (same run; goals: off costs nothing measurable, 10 % costs ≤ 5 % of throughput)\n\n${table(tracingTable, untracedRow)}\n\n` +
        `Sampled variants export over OTLP/HTTP (protobuf) to a local sink that discards; CPU per request includes the SDK's export work.`,
    );
    await Promise.all(tracing.map((t) => t.stop()));
    sink.kill();
    report.push(
      `## Cost of each protection (same run; target ≤ 0.05 of bare)\n\n` +
        `By throughput: (req/s without it − req/s with everything) / bare req/s. By CPU: (µs/req with everything − µs/req without it) / bare µs/req.\n\n` +
        `| protection off | req/s | cost of bare (req/s) | server CPU µs/req | its CPU µs/req | cost of bare (CPU) |\n|---|---:|---:|---:|---:|---:|\n` +
        costs
          .map(
            (c) =>
              `| ${c.protection} | ${c.rps} | ${c.costOfBare.toFixed(3)} | ${c.cpuUs} | ${c.cpuCostUs} | ${c.cpuCostOfBare.toFixed(3)} |`,
          )
          .join('\n'),
    );
    await Promise.all(without.map((t) => t.stop()));

    // Growth: 100,000 distinct rate-limit clients (X-Forwarded-For from a trusted loopback proxy), then 10,000
    // requests to unknown paths: RSS and the number of /metrics series before and after.
    const growth = await startTarget(
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
      SERVER_CORE,
      path,
    );
    targets.push(growth);
    const series = async () =>
      (await (await fetch(`http://127.0.0.1:${growth.port}/metrics`)).text()).split('\n').filter((l) => l && !l.startsWith('#')).length;
    const heapMiB = async () =>
      Number(
        /^nodejs_heap_size_used_bytes (\S+)/m.exec(await (await fetch(`http://127.0.0.1:${growth.port}/metrics`)).text())?.[1] ?? NaN,
      ) /
      2 ** 20;
    const bucketGauge = async () =>
      Number(
        /^rate_limit_buckets(?:\{[^}]*\})? (\d+)/m.exec(await (await fetch(`http://127.0.0.1:${growth.port}/metrics`)).text())?.[1] ?? NaN,
      );
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
    report.push(
      `## Growth\n\n| measure | value |\n|---|---:|\n` +
        `| RSS before, MiB | ${rssBefore.toFixed(0)} |\n` +
        `| RSS after ${clients.requests} requests from 100,000 distinct clients, MiB | ${rssAfterClients.toFixed(0)} (+${(rssAfterClients - rssBefore).toFixed(0)}) |\n` +
        `| V8 heap used before → after, MiB | ${heapBefore.toFixed(0)} → ${heapAfter.toFixed(0)} (+${(heapAfter - heapBefore).toFixed(0)}) |\n` +
        `| rate-limit buckets held (rate_limit_buckets) | ${buckets} |\n` +
        `| /metrics series before → after ${unknown.requests} requests to random unknown paths | ${seriesBefore} → ${seriesAfter} |`,
    );
    await growth.stop();
    const ratios = {
      ballastOverBare: ballastRow.rps / bareRow.rps,
      ballastOverRaw: ballastRow.rps / rawRow.rps,
      bareOverRaw: bareRow.rps / rawRow.rps,
      cpuBareOverBallast: bareRow.cpuUs / ballastRow.cpuUs,
    };
    json['dbRoute'] = { rows, ratios };
    // First in the report, though measured with the rest of the interleaved rounds.
    report.unshift(
      `## GET /api/v1/users/:id (a real PostgreSQL read)\n\n${table(rows, rawRow)}\n\n` +
        `Ballast/bare **${ratios.ballastOverBare.toFixed(2)}** by req/s (target ≥ 0.90), **${ratios.cpuBareOverBallast.toFixed(2)}** by server CPU per request (bare µs / Ballast µs); ` +
        `Ballast/raw ${ratios.ballastOverRaw.toFixed(2)}, bare/raw ${ratios.bareOverRaw.toFixed(2)}. ` +
        `A target whose server core is below ~95 % busy was held back by the load core (load generator + PostgreSQL), not by its own CPU.`,
    );
  } finally {
    await Promise.all(targets.map((t) => t.stop()));
    await db.drop();
  }

  // Overload: 10x the HTTP concurrency limit on a slow route (bench/overload.ts, its own bounded runs), twice:
  // - open loop: 10,000 connections sending 10,000 req/s in all (10x what the limit of 1,000 in-flight × 1 s
  //   admits), the way independent users arrive;
  // - closed loop: 10,000 connections each resending the moment it is answered (a retry storm that ignores
  //   Retry-After): latency is then the connections over the server's refusal rate, whatever the server does.
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
    report.push(`## Overload, ${title} (HTTP_CONCURRENCY_LIMIT=1000, 1 s route)\n\n\`\`\`\n${text}\n\`\`\``);
  }
  json['overload'] = overloadJson;

  // Overload when the route's cost changes mid-run (bench/overload-adaptive.ts, its own database and bounded
  // runs): the database 10x slower for the middle third; fixed cap vs adaptive vs node:http + pg, closed loop
  // and open loop. OVERLOAD_ADAPTIVE_SECONDS (30 per target) and the other OVERLOAD_ADAPTIVE_* pass through.
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
    report.push(`## Overload, database 10x slower mid-run, ${title}: fixed cap vs adaptive\n\n${text.replace(/^## [^\n]*\n+/, '')}`);
  }
  json['overloadAdaptive'] = adaptiveJson;

  const machine =
    `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ` +
    `${canPin ? `servers pinned to core 0; load generator (${loadGenerator}) and ${pinnedBackends} PostgreSQL backends of the bench database to core 1` : `no taskset: unpinned; load generator ${loadGenerator}`}, ` +
    `PostgreSQL ${db.where}, servers' NODE_OPTIONS "${SERVER_NODE_OPTIONS}" (the chart's default heap)`;
  const header = `# Ballast benchmark — ${new Date().toISOString()}\n\n${machine}. ${ROUNDS} interleaved rounds of ${SECONDS} s per target; medians.\n`;
  const markdown = [header, ...report].join('\n\n') + `\n\n(total bench time ${Math.round((Date.now() - started) / 1000)} s)\n`;
  const out = join(ROOT, '.bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.md'), markdown);
  writeFileSync(
    join(out, 'results.json'),
    JSON.stringify({ machine, rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, ...json }, null, 2),
  );
  process.stdout.write(`\n${markdown}\nwritten to .bench/results.md and .bench/results.json\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
