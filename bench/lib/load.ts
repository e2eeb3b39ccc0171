import autocannon from 'autocannon';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { benchHeaders } from './identity';

/** What one bounded load run measured. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Count of responses per status code. */
  statuses: Record<string, number>;
}

/** Options of one load run; every run is bounded by `durationSec` and targets 127.0.0.1 only. */
export interface LoadOptions {
  port: number;
  path: string | (() => string);
  connections: number;
  durationSec: number;
  headers?: Record<string, string> | (() => Record<string, string>);
  method?: 'GET' | 'POST';
  /** A JSON body: the same for every request, or made per request (autocannon). */
  body?: string | (() => string);
  /** Per-request timeout, seconds. */
  timeoutSec?: number;
  pipelining?: number;
  /** Stop after this many requests instead of after `durationSec`. */
  amount?: number;
}

/**
 * wrk, when installed (Debian's `wrk` package) and not overridden by BENCH_LOAD=autocannon: a C load generator
 * needs a fraction of autocannon's CPU per request, which leaves the load core to PostgreSQL and keeps the
 * server core the bottleneck. autocannon (an npm dependency) otherwise, so a fresh clone runs as is.
 */
export const loadGenerator: 'wrk' | 'autocannon' = (() => {
  if (process.env['BENCH_LOAD'] === 'autocannon') return 'autocannon';
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return 'wrk';
  } catch (error) {
    // wrk --version prints its banner and exits 1; only a missing binary is ENOENT.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'autocannon' : 'wrk';
  }
})();

/** Parses wrk's `--latency` output: "50%    1.23ms" lines, "Requests/sec:", "Non-2xx or 3xx responses:". */
function parseWrk(out: string): LoadResult {
  const ms = (label: string): number => {
    const m = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
    if (!m) return NaN;
    const value = Number(m[1]);
    return m[2] === 'us' ? value / 1000 : m[2] === 's' ? value * 1000 : value;
  };
  const num = (re: RegExp): number => Number(re.exec(out)?.[1] ?? 0);
  const requests = num(/(\d+) requests in/);
  const non2xx = num(/Non-2xx or 3xx responses: (\d+)/);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50: ms('50'),
    p99: ms('99'),
    requests,
    non2xx,
    errors: socket ? Number(socket[1]) + Number(socket[2]) + Number(socket[3]) : 0,
    timeouts: socket ? Number(socket[4]) : 0,
    statuses: { '2xx': requests - non2xx, ...(non2xx ? { other: non2xx } : {}) },
  };
}

/** Runs wrk (one thread: it shares the load core) against 127.0.0.1:`port`. */
async function runWrk(options: LoadOptions & { path: string }): Promise<LoadResult> {
  const { stdout } = await promisify(execFile)(
    'wrk',
    [
      '-t1',
      `-c${options.connections}`,
      `-d${options.durationSec}s`,
      `--timeout`,
      `${options.timeoutSec ?? 10}s`,
      '--latency',
      ...Object.entries(benchHeaders()).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
      `http://127.0.0.1:${options.port}${options.path}`,
    ],
    {
      timeout: (options.durationSec + 30) * 1000,
    },
  );
  return parseWrk(stdout);
}

/**
 * Runs a bounded load against 127.0.0.1:`port`: wrk for plain GETs when available (see {@link loadGenerator}),
 * autocannon for everything else (per-request paths or headers, request counts, bodies).
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const plain =
    typeof options.path === 'string' &&
    options.headers === undefined &&
    !options.amount &&
    !options.body &&
    (options.method ?? 'GET') === 'GET' &&
    (options.pipelining ?? 1) === 1;
  if (loadGenerator === 'wrk' && plain) return runWrk({ ...options, path: options.path as string });
  const dynamic = typeof options.path === 'function' || typeof options.headers === 'function' || typeof options.body === 'function';
  const bodyFn = typeof options.body === 'function' ? options.body : undefined;
  const pathFn = typeof options.path === 'function' ? options.path : () => options.path as string;
  const given = typeof options.headers === 'function' ? options.headers : () => (options.headers ?? {}) as Record<string, string>;
  const headersFn = () => ({ ...benchHeaders(), ...given() });
  const result = await autocannon({
    url: `http://127.0.0.1:${options.port}`,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationSec }),
    pipelining: options.pipelining ?? 1,
    timeout: options.timeoutSec ?? 10,
    method: options.method ?? 'GET',
    ...(options.body ? { headers: { ...benchHeaders(), 'content-type': 'application/json' } } : {}),
    ...(typeof options.body === 'string' ? { body: options.body } : {}),
    requests: dynamic
      ? [
          {
            setupRequest: (req: Record<string, unknown>) => ({
              ...req,
              path: pathFn(),
              headers: { ...(req['headers'] as object), ...headersFn() },
              ...(bodyFn ? { body: bodyFn() } : {}),
            }),
          },
        ]
      : [{ path: pathFn(), headers: headersFn() }],
  } as autocannon.Options);
  const statuses: Record<string, number> = {};
  for (const [key, value] of Object.entries(result as unknown as Record<string, unknown>)) {
    const m = /^(\d)xx$/.exec(key);
    if (m && typeof value === 'number' && value > 0) statuses[key] = value;
  }
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statuses,
  };
}

/** Median of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
