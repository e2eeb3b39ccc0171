import autocannon from 'autocannon';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Hanging-upstream bench: the real service (`node dist/main.js`) with PROFILE_SERVICE_URL pointing at a
 * profile service on 127.0.0.1 that accepts connections and never answers. A bounded closed-loop load
 * (autocannon) on GET /api/v1/users/:id/profile, with a light load on GET /api/v1/users/:id (local data only)
 * alongside. Reports per run: responses by status and profileStatus, latency percentiles of both routes, the
 * most connections the upstream saw open at once, and the service's RSS.
 *   npm run bench:outbound
 * A baseline run first: the same load with PROFILE_SERVICE_URL unset (no outbound call), to tell the service's
 * own warm-up from anything the hanging upstream costs.
 * Env: BENCH_SECONDS (20), BENCH_CONNECTIONS (100), BENCH_PERMITS ("20,200": one run per EXTERNAL_API_PERMITS
 * value), PROFILE_SERVICE_TIMEOUT_MS (2000), DATABASE_URL (else an embedded PostgreSQL started by the service).
 */
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 20);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 100);
const PERMITS = (process.env['BENCH_PERMITS'] ?? '20,200').split(',').map(Number);
const PROFILE_TIMEOUT_MS = process.env['PROFILE_SERVICE_TIMEOUT_MS'] ?? '2000';
const ROOT = process.cwd();

/** The upstream: accepts, reads, never answers; counts open connections. */
async function startHangingUpstream() {
  const sockets = new Set<Socket>();
  const stats = { open: 0, maxOpen: 0, accepted: 0, requests: 0 };
  const server = createHttpServer(() => {
    stats.requests++;
  });
  server.keepAliveTimeout = 0;
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    stats.accepted++;
    stats.maxOpen = Math.max(stats.maxOpen, ++stats.open);
    socket.on('close', () => {
      sockets.delete(socket);
      stats.open--;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    reset: () => Object.assign(stats, { maxOpen: stats.open, accepted: 0, requests: 0 }),
    stop: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function rssMiB(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number {
  const path = `/proc/${pid}/status`;
  if (!pid || !existsSync(path)) return NaN;
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(path, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

async function startService(env: Record<string, string>): Promise<{ child: ChildProcess; baseUrl: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'main.js')], {
    // AUTH_DISABLED: this bench measures the outbound client; authentication has its own (bench/identity.bench.ts).
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'error', AUTH_DISABLED: 'true', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(`${baseUrl}/api/v1/users?limit=1`, 120_000);
  return {
    child,
    baseUrl,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}

async function heapUsedMiB(baseUrl: string): Promise<number> {
  const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
  const match = /^nodejs_heap_size_used_bytes (\S+)/m.exec(metrics);
  return match ? Math.round(Number(match[1]) / 1024 / 1024) : NaN;
}

/** One run; `permits` undefined: the baseline, without PROFILE_SERVICE_URL. */
async function run(
  permits: number | undefined,
  upstream: Awaited<ReturnType<typeof startHangingUpstream>>,
  database: Record<string, string>,
) {
  const service = await startService({
    ...database,
    ...(permits === undefined ? {} : { PROFILE_SERVICE_URL: upstream.url, EXTERNAL_API_PERMITS: String(permits) }),
    PROFILE_SERVICE_TIMEOUT_MS: PROFILE_TIMEOUT_MS,
  });
  try {
    const created = await fetch(`${service.baseUrl}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `bench-${Date.now()}@example.com`, name: 'Bench' }),
    });
    const { id } = (await created.json()) as { id: string };
    upstream.reset();
    const rssBefore = rssMiB(service.child.pid, 'VmRSS');
    const profileStatuses: Record<string, number> = {};
    const profileLoad = autocannon({
      url: `${service.baseUrl}/api/v1/users/${id}/profile`,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [
        {
          onResponse: (_status: number, body: string) => {
            let key = 'unparsed';
            try {
              key = String((JSON.parse(body) as { profileStatus?: string }).profileStatus ?? 'no profileStatus');
            } catch {
              // counted as unparsed
            }
            profileStatuses[key] = (profileStatuses[key] ?? 0) + 1;
          },
        },
      ],
    });
    const localLoad = autocannon({ url: `${service.baseUrl}/api/v1/users/${id}`, connections: 5, duration: SECONDS });
    // RSS every quarter of the run: a leak grows steadily, a warm-up steps up once and stays.
    const rssSamples: number[] = [];
    const heapSamples: number[] = [];
    const sampler = setInterval(
      () => {
        rssSamples.push(rssMiB(service.child.pid, 'VmRSS'));
        void heapUsedMiB(service.baseUrl).then((mib) => heapSamples.push(mib));
      },
      (SECONDS * 1000) / 4,
    );
    const [profile, local] = await Promise.all([profileLoad, localLoad]).finally(() => clearInterval(sampler));
    const rssAfter = rssMiB(service.child.pid, 'VmRSS');
    const peak = rssMiB(service.child.pid, 'VmHWM');
    const metrics = await (await fetch(`${service.baseUrl}/metrics`)).text();
    const permitsInUse = /resource_permits_in_use\{resource="external"\} (\d+)/.exec(metrics)?.[1];
    return {
      run: permits === undefined ? 'baseline: PROFILE_SERVICE_URL unset' : `hanging upstream, EXTERNAL_API_PERMITS=${permits}`,
      profileRoute: {
        responses: profile.requests.total,
        byStatus: Object.fromEntries(
          Object.entries(profile.statusCodeStats ?? {}).map(([code, s]) => [code, (s as { count: number }).count]),
        ),
        byProfileStatus: profileStatuses,
        errors: profile.errors,
        timeouts: profile.timeouts,
        latencyMs: { p50: profile.latency.p50, p99: profile.latency.p99, max: profile.latency.max },
      },
      localRoute: {
        responses: local.requests.total,
        non2xx: local.non2xx,
        latencyMs: { p50: local.latency.p50, p99: local.latency.p99, max: local.latency.max },
      },
      upstream: {
        maxConcurrentConnections: upstream.stats.maxOpen,
        connectionsAccepted: upstream.stats.accepted,
        requestsReceived: upstream.stats.requests,
      },
      service: {
        rssBeforeMiB: rssBefore,
        rssDuringMiB: rssSamples,
        heapUsedDuringMiB: heapSamples,
        rssAfterMiB: rssAfter,
        peakRssMiB: peak,
        externalPermitsInUseAfter: permitsInUse,
      },
    };
  } finally {
    await service.stop();
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('run `npm run build` first');
  const upstream = await startHangingUpstream();
  const external = process.env['DATABASE_URL'] ?? process.env['TEST_DATABASE_URL'];
  const dbName = `ballast_bench_${process.pid}`;
  let embeddedDir: string | undefined;
  let database: Record<string, string>;
  if (external) {
    const admin = new pg.Client({ connectionString: external });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const url = new URL(external);
    url.pathname = `/${dbName}`;
    database = { DATABASE_URL: url.toString() };
  } else {
    embeddedDir = mkdtempSync(join(tmpdir(), 'ballast-bench-pg-'));
    database = { EMBEDDED_POSTGRES_DIR: embeddedDir };
  }
  process.stdout.write(
    `hanging upstream; ${CONNECTIONS} connections on the profile route + 5 on a local route for ${SECONDS} s per run; PROFILE_SERVICE_TIMEOUT_MS=${PROFILE_TIMEOUT_MS}\n`,
  );
  try {
    for (const permits of [undefined, ...PERMITS]) {
      const result = await run(permits, upstream, database);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    }
  } finally {
    await upstream.stop();
    if (external) {
      const admin = new pg.Client({ connectionString: external });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    }
    if (embeddedDir) rmSync(embeddedDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
