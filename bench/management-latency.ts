import autocannon from 'autocannon';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The management port under load: the real service (`node dist/main.js`) with MANAGEMENT_PORT set and a small
 * HTTP_CONCURRENCY_LIMIT, scraped on /metrics every BENCH_SCRAPE_MS while idle and while a closed-loop load
 * (autocannon, BENCH_CONNECTIONS connections, well past the limit) saturates GET /api/v1/users; then the same
 * under load with /metrics on the main port (MANAGEMENT_PORT unset), for comparison. Last, a heap snapshot of the
 * loaded process: its size, the pause the service logs, and the longest gap a 10 ms /health/live poller saw.
 *   npm run build && node bench/management-latency.ts
 * Env: DATABASE_URL (required: a real PostgreSQL), BENCH_SECONDS (15), BENCH_CONNECTIONS (200),
 * BENCH_LIMIT (50: HTTP_CONCURRENCY_LIMIT), BENCH_SCRAPE_MS (50).
 */
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 15);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 200);
const LIMIT = process.env['BENCH_LIMIT'] ?? '50';
const SCRAPE_MS = Number(process.env['BENCH_SCRAPE_MS'] ?? 50);
const DATABASE_URL = process.env['DATABASE_URL'];
const TOKEN = 'bench-management-token-0123456789';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Service {
  child: ChildProcess;
  main: string;
  ops: string;
  output(): string;
}

async function start(management: boolean): Promise<Service> {
  const port = await freePort();
  const managementPort = await freePort();
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    NODE_ENV: 'production',
    DATABASE_URL: DATABASE_URL!,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    HTTP_CONCURRENCY_LIMIT: LIMIT,
    RATE_LIMIT_PER_SECOND: '1000000',
    RATE_LIMIT_BURST: '1000000',
    MANAGEMENT_TOKEN: TOKEN,
  };
  if (management) Object.assign(env, { MANAGEMENT_PORT: String(managementPort), MANAGEMENT_HOST: '127.0.0.1' });
  const child = spawn(process.execPath, ['dist/main.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const main = `http://127.0.0.1:${port}`;
  const ops = management ? `http://127.0.0.1:${managementPort}` : main;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${ops}/health/ready`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (i > 600) throw new Error(`service did not become ready:\n${out}`);
    await sleep(100);
  }
  return { child, main, ops, output: () => out };
}

async function stop(service: Service): Promise<void> {
  service.child.kill('SIGTERM');
  await new Promise((resolve) => service.child.once('exit', resolve));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Scrapes /metrics every SCRAPE_MS for `seconds`; returns latency percentiles (ms) and failures. */
async function scrape(base: string, seconds: number): Promise<string> {
  const times: number[] = [];
  let failures = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const started = performance.now();
    try {
      const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5000) });
      await res.text();
      if (res.status === 200) times.push(performance.now() - started);
      else failures++;
    } catch {
      failures++;
    }
    await sleep(SCRAPE_MS);
  }
  times.sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(1);
  return `n=${times.length} p50=${f(percentile(times, 50))} ms p99=${f(percentile(times, 99))} ms max=${f(times[times.length - 1] ?? NaN)} ms failed=${failures}`;
}

/** Scrapes while autocannon saturates GET /api/v1/users; returns the scrape figures and the load's status counts. */
async function scrapeUnderLoad(service: Service): Promise<string> {
  const load = autocannon({ url: `${service.main}/api/v1/users`, connections: CONNECTIONS, duration: SECONDS + 2 });
  await sleep(2000);
  const figures = await scrape(service.ops, SECONDS);
  const result = await load;
  const statuses = `2xx=${result['2xx']} non2xx=${result.non2xx} req/s=${Math.round(result.requests.average)}`;
  return `${figures} | load: ${statuses}`;
}

/** Takes a heap snapshot while a 10 ms /health/live poller runs; returns size, logged pause and longest poll gap. */
async function heapSnapshot(service: Service): Promise<string> {
  let polling = true;
  let longest = 0;
  const poller = (async () => {
    while (polling) {
      const started = performance.now();
      await fetch(`${service.ops}/health/live`).then((r) => r.text());
      longest = Math.max(longest, performance.now() - started);
      await sleep(10);
    }
  })();
  await sleep(200);
  const started = performance.now();
  const res = await fetch(`${service.ops}/admin/heap-snapshot`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  const bytes = (await res.arrayBuffer()).byteLength;
  const total = performance.now() - started;
  polling = false;
  await poller;
  await sleep(400);
  const paused = /heap snapshot streamed: \d+ bytes, paused (\d+) ms/.exec(service.output())?.[1];
  return `status=${res.status} size=${(bytes / 1048576).toFixed(1)} MiB logged pause=${paused} ms whole request=${Math.round(total)} ms longest /health/live answer meanwhile=${Math.round(longest)} ms`;
}

async function main(): Promise<void> {
  if (!DATABASE_URL) throw new Error('set DATABASE_URL to a real PostgreSQL');
  const lines: string[] = [
    `node ${process.version}, HTTP_CONCURRENCY_LIMIT=${LIMIT}, ${CONNECTIONS} connections, ${SECONDS} s, scrape every ${SCRAPE_MS} ms`,
  ];
  const managed = await start(true);
  try {
    lines.push(`management port, idle:      ${await scrape(managed.ops, SECONDS)}`);
    lines.push(`management port, saturated: ${await scrapeUnderLoad(managed)}`);
    lines.push(`heap snapshot (idle):       ${await heapSnapshot(managed)}`);
  } finally {
    await stop(managed);
  }
  const shared = await start(false);
  try {
    lines.push(`main port (no MANAGEMENT_PORT), saturated: ${await scrapeUnderLoad(shared)}`);
  } finally {
    await stop(shared);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main();
