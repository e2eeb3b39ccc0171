import autocannon from 'autocannon';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../src/platform/database/free-port';
import { canPin, procStatusMiB, SERVER_NODE_OPTIONS } from './lib/processes';
import { createBenchDatabase } from './lib/database';

/**
 * Overload bench: CONNECTIONS concurrent clients (10x HTTP_CONCURRENCY_LIMIT by default) against a route that
 * takes SLOW_MS, on 127.0.0.1, for a bounded time. Reports the latency of refusals (503) and of admitted
 * requests (200) separately, errors, and the server's peak RSS — once per listen backlog in BACKLOGS.
 *   npm run build && npx tsc -p tsconfig.bench.json && node dist-bench/bench/overload.js
 * Env: OVERLOAD_CONNECTIONS (10000), OVERLOAD_LIMIT (1000), OVERLOAD_SLOW_MS (1000), OVERLOAD_SECONDS (15),
 * OVERLOAD_BACKLOGS ("511,4096"), BENCH_DATABASE_URL/DATABASE_URL (else an embedded PostgreSQL; the route never queries it).
 */
const CONNECTIONS = Number(process.env['OVERLOAD_CONNECTIONS'] ?? 10_000);
const LIMIT = Number(process.env['OVERLOAD_LIMIT'] ?? 1000);
const SLOW_MS = Number(process.env['OVERLOAD_SLOW_MS'] ?? 1000);
const SECONDS = Number(process.env['OVERLOAD_SECONDS'] ?? 15);
const BACKLOGS = (process.env['OVERLOAD_BACKLOGS'] ?? '511,4096').split(',').map(Number);
/** Arrivals per second across all connections (open loop); unset or 0: every connection resends at once (closed loop). */
const RATE = Number(process.env['OVERLOAD_RATE'] ?? 0);
/** Seconds at the start left out of the "steady" percentiles: the client opening all its connections at once. */
const RAMP_SECONDS = Number(process.env['OVERLOAD_RAMP_SECONDS'] ?? 3);
/** Servers under test: Ballast with a slow bench route, and the plain node:http floor (OVERLOAD_RAW=0 skips it). */
const TARGETS = [
  { name: 'ballast', script: join(__dirname, 'overload-server.js') },
  ...(process.env['OVERLOAD_RAW'] === '0' ? [] : [{ name: 'raw node:http floor', script: join(__dirname, 'overload-raw-server.js') }]),
];

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(latencies: number[]): string {
  const s = [...latencies].sort((a, b) => a - b);
  return `n=${s.length} p50=${percentile(s, 50)} p99=${percentile(s, 99)} max=${s.at(-1) ?? NaN} ms`;
}

/** Whole run, and steady state (requests sent after the first RAMP_SECONDS). Samples are [answered at, latency] in ms. */
function summaries(samples: Array<[number, number]>, steadyFrom: number): string {
  return `${summary(samples.map(([, ms]) => ms))}; steady (sent after ${RAMP_SECONDS} s): ${summary(samples.filter(([at, ms]) => at - ms >= steadyFrom).map(([, ms]) => ms))}`;
}

async function startServer(script: string, databaseUrl: string, backlog: number): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const args = canPin ? ['-c', '0', process.execPath, script] : [script];
  const child = spawn(canPin ? 'taskset' : process.execPath, args, {
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      HTTP_CONCURRENCY_LIMIT: String(LIMIT),
      // The connection cap is not under test: room for every client connection plus the warm-up's.
      HTTP_MAX_CONNECTIONS: String(CONNECTIONS * 2),
      NODE_OPTIONS: SERVER_NODE_OPTIONS,
      RATE_LIMIT_PER_SECOND: '1000000',
      RATE_LIMIT_BURST: '1000000',
      LOG_LEVEL: 'warn',
      BENCH_SLOW_MS: String(SLOW_MS),
      BENCH_BACKLOG: String(backlog),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return { child, port };
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('server not up after 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function metricsLine(port: number, prefix: string): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .join('; ');
}

/** The kernel's count of connections dropped because a listen queue was full (TcpExt ListenOverflows). */
function listenOverflows(): number {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('TcpExt:'));
    const names = (lines[0] ?? '').split(/\s+/);
    const values = (lines[1] ?? '').split(/\s+/);
    return Number(values[names.indexOf('ListenOverflows')]);
  } catch {
    return NaN;
  }
}

async function run(target: { name: string; script: string }, databaseUrl: string, backlog: number): Promise<void> {
  const { child, port } = await startServer(target.script, databaseUrl, backlog);
  try {
    // Warm-up (JIT) at the limit, not beyond it.
    await autocannon({ url: `http://127.0.0.1:${port}/bench/slow`, connections: Math.min(LIMIT, 200), duration: 2 });
    const overflowsBefore = listenOverflows();
    const byStatus = new Map<number, Array<[number, number]>>();
    const started = performance.now();
    let rssPeakSampled = 0;
    const sampler = setInterval(() => (rssPeakSampled = Math.max(rssPeakSampled, procStatusMiB(child.pid, 'VmRSS'))), 250);
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: `http://127.0.0.1:${port}/bench/slow`,
          connections: CONNECTIONS,
          duration: SECONDS,
          timeout: 30,
          ...(RATE > 0 ? { overallRate: RATE } : {}),
        },
        (error, res) => (error ? reject(error as Error) : resolve(res)),
      );
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        let list = byStatus.get(statusCode);
        if (!list) byStatus.set(statusCode, (list = []));
        list.push([performance.now(), Math.round(responseTime)]);
      });
    });
    clearInterval(sampler);
    const peak = procStatusMiB(child.pid, 'VmHWM');
    const overflows = listenOverflows() - overflowsBefore;
    const server =
      target.name === 'ballast'
        ? `server: ${await metricsLine(port, 'http_requests_rejected_total{reason="concurrency"}')}`
        : 'server: plain node:http';
    process.stdout.write(
      [
        `\n== ${target.name}: ${CONNECTIONS} connections${RATE > 0 ? ` sending ${RATE} req/s in all (open loop)` : ' each resending at once (closed loop)'}, limit ${LIMIT}, slow route ${SLOW_MS} ms, ${SECONDS} s, backlog ${backlog}${canPin ? ', server on core 0, load on core 1' : ''}`,
        `requests answered: ${result.requests.total}  (${Math.round(result.requests.average)} req/s)  errors: ${result.errors}  timeouts: ${result.timeouts}`,
        ...[...byStatus.entries()]
          .sort(([a], [b]) => a - b)
          .map(([status, l]) => `  ${status}: ${summaries(l, started + RAMP_SECONDS * 1000)}`),
        `server peak RSS (VmHWM): ${peak.toFixed(0)} MiB (sampled VmRSS max ${rssPeakSampled.toFixed(0)} MiB)`,
        `kernel listen-queue overflows during the run (machine-wide): ${overflows}`,
        server,
      ].join('\n') + '\n',
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function main(): Promise<void> {
  if (canPin) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const db = await createBenchDatabase();
  try {
    for (const backlog of BACKLOGS) for (const target of TARGETS) await run(target, db.url, backlog);
  } finally {
    await db.drop();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
