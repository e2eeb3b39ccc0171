import { waitUntil } from '../utils/wait-until';
import { request as httpRequest, type ClientRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';

/** Listens on 127.0.0.1:0 and returns the base URL (so concurrent requests share one real server). */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** One answered request: status, parsed body, headers, and how long it took. */
export interface Timed {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
  ms: number;
}

/** GETs `url` and measures the time to the complete response. */
export async function timedGet(url: string): Promise<Timed> {
  const started = performance.now();
  const res = await fetch(url);
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, body, headers: res.headers, ms: performance.now() - started };
}

/** The value of one sample in the Prometheus text at `${baseUrl}/metrics` (undefined if absent). */
export async function metric(baseUrl: string, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_:]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((l) => present.includes(l)) && present.length === wanted.length) return Number(match[3]);
  }
  return undefined;
}

/** Starts a GET that the test can cut off like a client going away (`destroy()`). */
export function openRequest(url: string): ClientRequest {
  const req = httpRequest(url);
  req.on('error', () => undefined);
  req.end();
  return req;
}

/** Polls `check` every 25 ms until it returns true; throws after `timeoutMs`. */
export function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<number> {
  return waitUntil(check, { timeoutMs, intervalMs: 25 });
}

/** Holds `LOCK TABLE … IN ACCESS EXCLUSIVE MODE` from its own connection until `release()`: every query on the table stalls. */
export async function lockTable(databaseUrl: string, table: string): Promise<{ release(): Promise<void> }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      try {
        await client.query('ROLLBACK');
      } finally {
        await client.end();
      }
    },
  };
}

/** Backends of the service (application_name `ballast`) waiting on a lock now. */
export async function waitingBackends(databaseUrl: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'ballast' AND datname = current_database() AND wait_event_type = 'Lock'",
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}
