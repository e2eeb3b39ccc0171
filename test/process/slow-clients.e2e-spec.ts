import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { type AppProcess, heapUsedBytes, startAppProcess } from '../utils/app-process';
import { type RawClient, type SocketOutcome, trickle } from '../utils/raw-socket';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';

const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2000;
/** Generous slack on a shared 2-core machine: the bounds prove "cut near the timeout", not speed. */
const MARGIN_MS = 6000;
const SLOW_SOCKETS = 300;
const ATTACK_MS = 8000;

/** Resident memory of a process, from /proc (Linux). */
function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** One GET on a new TCP connection (no agent): proves the server still accepts, not just serves a pooled socket. */
function getOnNewConnection(url: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on('timeout', () => req.destroy(new Error('normal client timed out')));
    req.on('error', reject);
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const MB = 1024 * 1024;

describe('slow clients against the real process (node dist/main.js, sockets on 127.0.0.1)', () => {
  let db: TestDatabase;
  let app: AppProcess;
  let pid: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startAppProcess({
      DATABASE_URL: db.url,
      DB_POOL_MIN: '2',
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '500',
      HTTP_LISTEN_BACKLOG: '1234',
      LOG_LEVEL: 'warn',
      // A bounded heap, as the chart sizes it from the memory limit: without a cap V8 grows the heap lazily
      // under any allocation load, and RSS then tracks traffic volume rather than what is held.
      NODE_OPTIONS: '--max-old-space-size=96',
    });
    pid = app.child.pid ?? 0;
    await app.waitFor('/api/v1/users', 200, 60_000);
  }, 90_000);
  afterAll(async () => {
    if (app) expect(await app.stop('SIGTERM')).toBe(0);
    await db?.drop();
  });

  it('listens with HTTP_LISTEN_BACKLOG as the accept queue length (ss shows it as Send-Q)', () => {
    // `ss` (iproute2) reads the backlog of a listening socket back from the kernel.
    const line = execFileSync('ss', ['-Hltn', `sport = :${app.port}`], { encoding: 'utf8' }).trim();
    const [, , sendQ] = line.split(/\s+/);
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
    expect(Number(sendQ)).toBe(Math.min(1234, somaxconn));
  });

  it(`cuts ${SLOW_SOCKETS} trickling sockets at their timeouts while normal clients are served, with flat memory`, async () => {
    // Warm up, then take the baseline over one second.
    for (let i = 0; i < 20; i++) expect((await getOnNewConnection(`${app.baseUrl}/api/v1/users?limit=5`)).status).toBe(200);
    const baselineSamples: number[] = [];
    const baselineHeap: number[] = [];
    for (let i = 0; i < 5; i++) {
      baselineSamples.push(rssBytes(pid));
      baselineHeap.push(await heapUsedBytes(app.baseUrl));
      await new Promise((r) => setTimeout(r, 200));
    }
    const baseline = percentile(baselineSamples, 50);

    // The attack: half the sockets trickle headers, half a body, one byte every 200 ms; each one cut is
    // replaced at once, so about SLOW_SOCKETS stay open for ATTACK_MS.
    const outcomes: Array<SocketOutcome & { kind: 'headers' | 'body' }> = [];
    const live = new Set<RawClient>();
    let attacking = true;
    const launch = (kind: 'headers' | 'body'): void => {
      const client =
        kind === 'headers'
          ? trickle(app.port, 'a', { intervalMs: 200, loop: true, prefix: 'GET /api/v1/users HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' })
          : trickle(app.port, ' ', {
              intervalMs: 200,
              loop: true,
              prefix: 'POST /api/v1/users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n',
            });
      live.add(client);
      void client.closed.then((outcome) => {
        live.delete(client);
        if (!attacking) return;
        outcomes.push({ ...outcome, kind });
        launch(kind);
      });
    };
    for (let i = 0; i < SLOW_SOCKETS; i++) {
      launch(i % 2 === 0 ? 'headers' : 'body');
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 100));
    }

    const rss: number[] = [];
    const openSamples: number[] = [];
    const sampler = setInterval(() => {
      rss.push(rssBytes(pid));
      openSamples.push(live.size);
    }, 250);
    const latencies: number[] = [];
    const statuses = new Set<number>();
    const heap: number[] = [];
    const started = Date.now();
    const heapSampler = (async () => {
      while (Date.now() - started < ATTACK_MS) {
        heap.push(await heapUsedBytes(app.baseUrl));
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    try {
      while (Date.now() - started < ATTACK_MS) {
        const { status, ms } = await getOnNewConnection(`${app.baseUrl}/api/v1/users?limit=5`);
        statuses.add(status);
        latencies.push(ms);
        await new Promise((r) => setTimeout(r, 20));
      }
      await heapSampler;
    } finally {
      attacking = false;
      clearInterval(sampler);
      for (const client of live) client.destroy();
    }

    const headerCuts = outcomes.filter((o) => o.kind === 'headers').map((o) => o.closedAfterMs);
    const bodyCuts = outcomes.filter((o) => o.kind === 'body').map((o) => o.closedAfterMs);
    const cutStatuses = outcomes.reduce<Record<string, number>>(
      (acc, o) => ({ ...acc, [o.status ?? 'reset']: (acc[o.status ?? 'reset'] ?? 0) + 1 }),
      {},
    );
    const peak = Math.max(...rss);
    const firstSecond = percentile(rss.slice(0, 4), 50);
    const lastSecond = percentile(rss.slice(-4), 50);
    const heapBefore = percentile(baselineHeap, 50);
    const heapLate = percentile(heap.slice(-Math.ceil(heap.length / 3)), 50);
    process.stdout.write(
      `[slow-clients] ${SLOW_SOCKETS} slow sockets held for ${ATTACK_MS} ms (open: median ${percentile(openSamples, 50)}, min ${Math.min(...openSamples)}); ` +
        `${outcomes.length} cut by the server (${JSON.stringify(cutStatuses)})\n` +
        `[slow-clients] trickled headers cut after p50 ${percentile(headerCuts, 50)} ms / max ${Math.max(...headerCuts)} ms (HTTP_HEADERS_TIMEOUT_MS=${HEADERS_TIMEOUT_MS}); ` +
        `trickled bodies cut after p50 ${percentile(bodyCuts, 50)} ms / max ${Math.max(...bodyCuts)} ms (HTTP_REQUEST_TIMEOUT_MS=${REQUEST_TIMEOUT_MS})\n` +
        `[slow-clients] normal clients meanwhile (new connection each): ${latencies.length} requests, statuses ${[...statuses].join(',')}, ` +
        `latency p50 ${percentile(latencies, 50).toFixed(1)} ms / p95 ${percentile(latencies, 95).toFixed(1)} ms / max ${Math.max(...latencies).toFixed(1)} ms\n` +
        `[slow-clients] server RSS: baseline ${(baseline / MB).toFixed(1)} MB, peak ${(peak / MB).toFixed(1)} MB (+${((peak - baseline) / MB).toFixed(1)}), ` +
        `first second of the attack ${(firstSecond / MB).toFixed(1)} MB, last second ${(lastSecond / MB).toFixed(1)} MB; ` +
        `V8 heap used: before ${(heapBefore / MB).toFixed(1)} MB, last third of the attack ${(heapLate / MB).toFixed(1)} MB (median)\n`,
    );

    // Every slow socket was cut by the server near its timeout, with a 408 (or a reset: when the server
    // closes a socket whose client is still writing, the kernel sends RST and the 408 may be lost).
    expect(headerCuts.length).toBeGreaterThanOrEqual(SLOW_SOCKETS / 2);
    expect(bodyCuts.length).toBeGreaterThanOrEqual(SLOW_SOCKETS / 2);
    expect(outcomes.every((o) => o.status === 408 || (o.status === undefined && o.received === ''))).toBe(true);
    expect(outcomes.filter((o) => o.status === 408).length).toBeGreaterThanOrEqual(outcomes.length * 0.75);
    expect(Math.min(...headerCuts)).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    expect(Math.max(...headerCuts)).toBeLessThan(HEADERS_TIMEOUT_MS + MARGIN_MS);
    expect(Math.min(...bodyCuts)).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(Math.max(...bodyCuts)).toBeLessThan(REQUEST_TIMEOUT_MS + MARGIN_MS);
    // The slow sockets were really held open together.
    expect(percentile(openSamples, 50)).toBeGreaterThanOrEqual(SLOW_SOCKETS * 0.8);
    // Normal clients were served all along, each well within the slow clients' timeouts.
    expect([...statuses]).toEqual([200]);
    expect(latencies.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...latencies)).toBeLessThan(10_000);
    // Memory stays flat: bounded over the baseline, and not growing while thousands of sockets cycle.
    expect(peak - baseline).toBeLessThan(64 * MB);
    expect(lastSecond - firstSecond).toBeLessThan(32 * MB);
    expect(heapLate - heapBefore).toBeLessThan(24 * MB);
  }, 60_000);
});
