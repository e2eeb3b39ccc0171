import { Pool } from 'undici';
import type { UpstreamSettings } from './upstream-settings';

/** The undici Pool of one upstream: its socket cap, connect timeout, bounded keep-alive and size limit. */
export function createUpstreamPool(origin: string, settings: UpstreamSettings): Pool {
  return new Pool(origin, {
    connections: settings.maxConnections,
    pipelining: 1,
    connect: { timeout: settings.connectTimeoutMs },
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    // Server `Keep-Alive: timeout=…` hints may lower the idle time, never raise it.
    keepAliveMaxTimeout: settings.keepAliveTimeoutMs,
    // Backstops only: the call's own deadline normally ends a slow attempt first.
    headersTimeout: settings.timeoutMs,
    bodyTimeout: settings.timeoutMs,
    maxResponseSize: settings.maxResponseBytes,
  });
}

/** Closes a pool gracefully within `timeoutMs` (in-flight requests finish), then destroys what is left; the timer is cleared. */
export async function closeUpstreamPool(pool: Pool, timeoutMs: number): Promise<void> {
  if (pool.closed || pool.destroyed) return;
  let timer: NodeJS.Timeout | undefined;
  const closed = pool.close().then(() => true);
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    if (!(await Promise.race([closed, timedOut]))) await pool.destroy();
  } finally {
    clearTimeout(timer);
  }
}
