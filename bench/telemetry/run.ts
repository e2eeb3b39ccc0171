import autocannon from 'autocannon';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from '../../src/platform/database/free-port';
import { canPin, cpuSeconds } from '../lib/processes';
import { createBenchDatabase } from '../lib/database';

/**
 * `npm run bench:telemetry`: the throughput cost of the telemetry edge on GET /bench/ping, three servers
 * side by side in one run — telemetry off, metrics + request id only (LOG_LEVEL=warn), everything on
 * (a JSON request line per request, written to /dev/null) — measured in interleaved rounds (A B C A B C …) so machine
 * drift hits all alike; servers pinned to core 0, autocannon to core 1 when taskset exists. Then 10,000
 * requests to random unknown paths, and the number of series /metrics exposes before and after.
 * BENCH_PATH measures another route instead (e.g. `/api/v1/users?limit=5`, a PostgreSQL read).
 * Bounded: BENCH_ROUNDS × 3 × BENCH_SECONDS, 127.0.0.1 only.
 */
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 4);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);
const PATH = process.env['BENCH_PATH'] ?? '/bench/ping';
const TARGET = join(__dirname, 'target.js');

interface Server {
  name: string;
  port: number;
  child: ChildProcess;
}

async function startServer(name: string, env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const command = canPin ? 'taskset' : process.execPath;
  const args = canPin ? ['-c', '0', process.execPath, TARGET] : [TARGET];
  // Logs go to /dev/null: the server pays for formatting and the write syscall, as with a container's
  // stdout, while no reader competes with the load generator for its core.
  const child = spawn(command, args, {
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', NODE_ENV: 'production', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 300; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/bench/ping`);
      if (res.status === 200) return { name, port, child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not start`);
}

async function load(port: number, seconds: number, path: string | (() => string) = PATH): Promise<autocannon.Result> {
  const requests = typeof path === 'function' ? [{ setupRequest: (req: autocannon.Request) => ({ ...req, path: path() }) }] : [{ path }];
  return autocannon({ url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: seconds, requests });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function seriesCount(port: number): Promise<{ total: number; http: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const samples = text.split('\n').filter((line) => line && !line.startsWith('#'));
  return { total: samples.length, http: samples.filter((line) => line.startsWith('http_')).length };
}

async function main(): Promise<void> {
  if (canPin) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const db = await createBenchDatabase();
  // The rate limit high enough never to refuse: the bench measures the telemetry edge, not the limiter.
  const common = { DATABASE_URL: db.url, DB_POOL_MIN: '1', RATE_LIMIT_PER_SECOND: '1000000', RATE_LIMIT_BURST: '10000000' };
  const servers: Server[] = [];
  try {
    servers.push(await startServer('telemetry off', { ...common, BENCH_TELEMETRY: 'off', LOG_LEVEL: 'warn' }));
    servers.push(await startServer('metrics + request id', { ...common, LOG_LEVEL: 'warn' }));
    servers.push(await startServer('metrics + request log', { ...common, LOG_LEVEL: 'info' }));
    for (const s of servers) await load(s.port, 2); // warm-up: JIT, caches
    const rps = new Map<Server, number[]>(servers.map((s) => [s, []]));
    const p99 = new Map<Server, number[]>(servers.map((s) => [s, []]));
    // CPU time per request is the robust figure on a shared machine: other processes stretch the wall
    // clock (and so req/s) far more than they change the CPU the server spends on one request.
    const cpuPerRequest = new Map<Server, number[]>(servers.map((s) => [s, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const s of servers) {
        const cpuBefore = cpuSeconds(s.child.pid);
        const result = await load(s.port, SECONDS);
        const cpu = cpuSeconds(s.child.pid) - cpuBefore;
        if (result.non2xx > 0 || result.errors > 0) throw new Error(`${s.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        rps.get(s)?.push(result.requests.average);
        p99.get(s)?.push(result.latency.p99);
        cpuPerRequest.get(s)?.push((cpu / result.requests.total) * 1e6);
      }
      const line = servers.map(
        (s) => `${s.name} ${Math.round(rps.get(s)?.at(-1) ?? 0)} req/s ${(cpuPerRequest.get(s)?.at(-1) ?? NaN).toFixed(1)} µs`,
      );
      process.stdout.write(`round ${round}/${ROUNDS}: ${line.join(', ')}\n`);
    }
    const baseRps = median(rps.get(servers[0]) ?? []);
    const baseCpu = median(cpuPerRequest.get(servers[0]) ?? []);
    const pct = (value: number, base: number) => `${value >= base ? '+' : ''}${(((value - base) / base) * 100).toFixed(1)}%`;
    process.stdout.write(
      `\nGET ${PATH}, ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s interleaved, ${canPin ? 'server on core 0, load on core 1' : 'unpinned'}; medians:\n`,
    );
    for (const s of servers) {
      const r = median(rps.get(s) ?? []);
      const c = median(cpuPerRequest.get(s) ?? []);
      const vs =
        s === servers[0]
          ? ''
          : ` (${pct(r, baseRps)} req/s, ${pct(c, baseCpu)} CPU, ${c >= baseCpu ? '+' : ''}${(c - baseCpu).toFixed(1)} µs/request)`;
      process.stdout.write(
        `  ${s.name.padEnd(24)} ${Math.round(r).toString().padStart(6)} req/s, ${c.toFixed(1)} µs CPU/request, p99 ${median(p99.get(s) ?? [])} ms${vs}\n`,
      );
    }

    // One unknown path and one scrape first, so the `unmatched` and `/metrics` series exist before counting.
    const full = servers[2];
    await fetch(`http://127.0.0.1:${full.port}/not-a-route`);
    await seriesCount(full.port);
    const before = await seriesCount(full.port);
    let sent = 0;
    const flood = await autocannon({
      url: `http://127.0.0.1:${full.port}`,
      connections: CONNECTIONS,
      amount: 10_000,
      requests: [
        {
          setupRequest: (req: autocannon.Request) => ({
            ...req,
            path: `/${randomBytes(6).toString('hex')}/${sent++}?q=${randomBytes(3).toString('hex')}`,
          }),
        },
      ],
    });
    const after = await seriesCount(full.port);
    process.stdout.write(
      `\n10,000 requests to random unknown paths (${flood['4xx']} answered 4xx): /metrics exposed ${before.total} samples ` +
        `(${before.http} of them http_*) before and ${after.total} (${after.http} http_*) after\n`,
    );
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
    await Promise.all(
      servers.map((s) => new Promise((resolve) => (s.child.exitCode !== null ? resolve(null) : s.child.once('exit', resolve)))),
    );
    await db.drop();
  }
}

void main();
