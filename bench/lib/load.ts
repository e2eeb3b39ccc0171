import autocannon from 'autocannon';

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
  body?: string;
  /** Per-request timeout, seconds. */
  timeoutSec?: number;
  pipelining?: number;
  /** Stop after this many requests instead of after `durationSec`. */
  amount?: number;
}

/** Runs autocannon against 127.0.0.1:`port` for a bounded time. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const dynamic = typeof options.path === 'function' || typeof options.headers === 'function';
  const pathFn = typeof options.path === 'function' ? options.path : () => options.path as string;
  const headersFn = typeof options.headers === 'function' ? options.headers : () => (options.headers ?? {}) as Record<string, string>;
  const result = await autocannon({
    url: `http://127.0.0.1:${options.port}`,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationSec }),
    pipelining: options.pipelining ?? 1,
    timeout: options.timeoutSec ?? 10,
    method: options.method ?? 'GET',
    ...(options.body ? { body: options.body, headers: { 'content-type': 'application/json' } } : {}),
    requests: dynamic
      ? [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, path: pathFn(), headers: { ...(req['headers'] as object), ...headersFn() } }) }]
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
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
