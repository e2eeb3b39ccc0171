import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createBenchDatabase, seedUsers } from './lib/database';
import { type LoadResult, median, runLoad } from './lib/load';
import { canPin, pinSelf, startTarget, type Target } from './lib/processes';

/**
 * `npm run bench`: raw node:http + pg, bare NestJS + TypeORM and Ballast with everything on, serving the same
 * PostgreSQL read, measured in interleaved rounds (A B C A B C …) so machine drift hits all alike; servers
 * pinned to core 0, this load generator to core 1. Bounded: BENCH_ROUNDS × targets × BENCH_SECONDS.
 */
const ROOT = join(__dirname, '..', '..');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const SERVER_CORE = 0;
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
    ...extra,
  };
}

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  peakRssMiB: number;
  non2xx: number;
  errors: number;
}

function summarise(target: Target, runs: LoadResult[]): Row {
  return {
    name: target.name,
    rps: Math.round(median(runs.map((r) => r.rps))),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    peakRssMiB: Math.round(target.peakRssMiB()),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors + r.timeouts, 0),
  };
}

/** Runs `targets` round-robin for ROUNDS rounds on `path` and returns one row per target. */
async function interleaved(targets: Target[], path: string): Promise<Row[]> {
  const runs = new Map<Target, LoadResult[]>(targets.map((t) => [t, []]));
  for (const t of targets) await runLoad({ port: t.port, path, connections: CONNECTIONS, durationSec: 2 }); // warm-up (JIT, pool)
  for (let round = 1; round <= ROUNDS; round++) {
    for (const t of targets) {
      const r = await runLoad({ port: t.port, path, connections: CONNECTIONS, durationSec: SECONDS });
      runs.get(t)?.push(r);
      process.stdout.write(`  round ${round} ${t.name.padEnd(28)} ${Math.round(r.rps).toString().padStart(7)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  non2xx ${r.non2xx}\n`);
    }
  }
  return targets.map((t) => summarise(t, runs.get(t) ?? []));
}

function table(rows: Row[], reference?: Row): string {
  const head = '| target | req/s (median) | p50 ms | p99 ms | peak RSS MiB | non-2xx | errors |' + (reference ? ` vs ${reference.name} |` : '');
  const sep = '|---|---:|---:|---:|---:|---:|---:|' + (reference ? '---:|' : '');
  const lines = rows.map(
    (r) =>
      `| ${r.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.peakRssMiB} | ${r.non2xx} | ${r.errors} |` +
      (reference ? ` ${(r.rps / reference.rps).toFixed(2)} |` : ''),
  );
  return [head, sep, ...lines].join('\n');
}

async function main(): Promise<void> {
  pinSelf(1);
  const started = Date.now();
  const db = await createBenchDatabase();
  const targets: Target[] = [];
  const report: string[] = [];
  const json: Record<string, unknown> = {};
  try {
    const ballast = await startTarget('ballast (everything on)', join(ROOT, 'dist', 'main.js'), ballastEnv(db.url), SERVER_CORE, '/api/v1/users');
    targets.push(ballast);
    const id = await seedUsers(db.url, 1000);
    const path = `/api/v1/users/${id}`;
    const raw = await startTarget('raw node:http + pg', join(ROOT, 'dist-bench', 'bench', 'targets', 'raw-node.js'), { DATABASE_URL: db.url, DB_POOL_MAX: POOL }, SERVER_CORE, path);
    const bare = await startTarget('bare NestJS + TypeORM', join(ROOT, 'dist-bench', 'bench', 'targets', 'bare-nest.js'), { DATABASE_URL: db.url, DB_POOL_MAX: POOL }, SERVER_CORE, path);
    targets.push(raw, bare);

    // One protection off at a time, same run, same rounds: the difference to "everything on" is its cost.
    const variants: Array<[string, Record<string, string>]> = [
      ['ballast − rate limit', { PROTECTIONS_DISABLED: 'rate_limit' }],
      ['ballast − HTTP metrics', { PROTECTIONS_DISABLED: 'http_metrics' }],
      ['ballast − request log', { LOG_LEVEL: 'warn' }],
      ['ballast − DB permits', { PROTECTIONS_DISABLED: 'db_permits' }],
    ];
    const without: Target[] = [];
    for (const [name, extra] of variants) without.push(await startTarget(name, join(ROOT, 'dist', 'main.js'), ballastEnv(db.url, extra), SERVER_CORE, path));
    targets.push(...without);

    process.stdout.write(`\n# GET /api/v1/users/:id — ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections\n`);
    const all = await interleaved([raw, bare, ballast, ...without], path);
    const rows = all.slice(0, 3);
    const [rawRow, bareRow, ballastRow] = rows as [Row, Row, Row];
    const costs = all.slice(3).map((row) => ({ protection: row.name.replace('ballast − ', ''), rps: row.rps, costOfBare: (row.rps - ballastRow.rps) / bareRow.rps }));
    json['perFeature'] = { variants: all.slice(3), costs };
    report.push(
      `## Cost of each protection (same run; cost = (rps without it − rps with everything) / bare rps; target ≤ 0.05)\n\n` +
        `| protection off | req/s | cost of bare |\n|---|---:|---:|\n` +
        costs.map((c) => `| ${c.protection} | ${c.rps} | ${c.costOfBare.toFixed(3)} |`).join('\n'),
    );
    await Promise.all(without.map((t) => t.stop()));

    // Growth: 100,000 distinct rate-limit clients (X-Forwarded-For from a trusted loopback proxy), then 10,000
    // requests to unknown paths: RSS and the number of /metrics series before and after.
    const growth = await startTarget('ballast (growth)', join(ROOT, 'dist', 'main.js'), ballastEnv(db.url, {
      TRUST_PROXY: 'loopback',
      LOG_LEVEL: 'warn',
      // Slow refill, so every one of the 100,000 buckets stays live (a full bucket is evicted once idle).
      RATE_LIMIT_PER_SECOND: '1',
      RATE_LIMIT_BURST: '1000',
      RATE_LIMIT_MAX_KEYS: '200000',
    }), SERVER_CORE, path);
    targets.push(growth);
    const series = async () => (await (await fetch(`http://127.0.0.1:${growth.port}/metrics`)).text()).split('\n').filter((l) => l && !l.startsWith('#')).length;
    const heapMiB = async () => Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(await (await fetch(`http://127.0.0.1:${growth.port}/metrics`)).text())?.[1] ?? NaN) / 2 ** 20;
    const bucketGauge = async () => Number(/^rate_limit_buckets(?:\{[^}]*\})? (\d+)/m.exec(await (await fetch(`http://127.0.0.1:${growth.port}/metrics`)).text())?.[1] ?? NaN);
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
    const unknown = await runLoad({ port: growth.port, path: () => `/scan/${Math.random().toString(36).slice(2)}`, connections: CONNECTIONS, durationSec: 60, amount: 10_000 });
    const seriesAfter = await series();
    json['growth'] = { rssBefore, rssAfterClients, heapBefore, heapAfter, buckets, clientRequests: clients.requests, clientNon2xx: clients.non2xx, seriesBefore, seriesAfter, unknownRequests: unknown.requests };
    report.push(
      `## Growth\n\n| measure | value |\n|---|---:|\n` +
        `| RSS before, MiB | ${rssBefore.toFixed(0)} |\n` +
        `| RSS after ${clients.requests} requests from 100,000 distinct clients, MiB | ${rssAfterClients.toFixed(0)} (+${(rssAfterClients - rssBefore).toFixed(0)}) |\n` +
        `| V8 heap used before → after, MiB | ${heapBefore.toFixed(0)} → ${heapAfter.toFixed(0)} (+${(heapAfter - heapBefore).toFixed(0)}) |\n` +
        `| rate-limit buckets held (rate_limit_buckets) | ${buckets} |\n` +
        `| /metrics series before → after ${unknown.requests} requests to random unknown paths | ${seriesBefore} → ${seriesAfter} |`,
    );
    await growth.stop();
    const ratios = { ballastOverBare: ballastRow.rps / bareRow.rps, ballastOverRaw: ballastRow.rps / rawRow.rps, bareOverRaw: bareRow.rps / rawRow.rps };
    json['dbRoute'] = { rows, ratios };
    report.push(
      `## GET /api/v1/users/:id (a real PostgreSQL read)\n\n${table(rows, rawRow)}\n\n` +
        `Ballast/bare **${ratios.ballastOverBare.toFixed(2)}** (target ≥ 0.90), Ballast/raw ${ratios.ballastOverRaw.toFixed(2)}, bare/raw ${ratios.bareOverRaw.toFixed(2)}.`,
    );
  } finally {
    await Promise.all(targets.map((t) => t.stop()));
    await db.drop();
  }

  // Overload: 10x the HTTP concurrency limit on a slow route (bench/overload.ts, its own bounded run).
  const overloadEnv = { OVERLOAD_CONNECTIONS: '10000', OVERLOAD_LIMIT: '1000', OVERLOAD_SLOW_MS: '1000', OVERLOAD_SECONDS: '10', OVERLOAD_BACKLOGS: '4096', OVERLOAD_RAW: '0' };
  const overload = spawnSync(process.execPath, [join(__dirname, 'overload.js')], { env: { ...process.env, ...overloadEnv }, encoding: 'utf8', timeout: 180_000, maxBuffer: 64 * 2 ** 20 });
  const overloadText = `${overload.stdout ?? ''}${overload.status === 0 ? '' : `\n(overload run exited ${overload.status}: ${overload.stderr ?? ''})`}`.trim();
  process.stdout.write(`\n${overloadText}\n`);
  json['overload'] = { env: overloadEnv, output: overloadText };
  report.push(`## Overload: 10,000 connections against HTTP_CONCURRENCY_LIMIT=1000, 1 s route\n\n\`\`\`\n${overloadText}\n\`\`\``);

  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ` +
    `${canPin ? 'servers pinned to core 0, load generator to core 1' : 'no taskset: unpinned'}, PostgreSQL ${db.where}`;
  const header = `# Ballast benchmark — ${new Date().toISOString()}\n\n${machine}. ${ROUNDS} interleaved rounds of ${SECONDS} s per target; medians.\n`;
  const markdown = [header, ...report].join('\n\n') + `\n\n(total bench time ${Math.round((Date.now() - started) / 1000)} s)\n`;
  const out = join(ROOT, '.bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.md'), markdown);
  writeFileSync(join(out, 'results.json'), JSON.stringify({ machine, rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, ...json }, null, 2));
  process.stdout.write(`\n${markdown}\nwritten to .bench/results.md and .bench/results.json\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
