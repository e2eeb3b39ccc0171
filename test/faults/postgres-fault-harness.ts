import { waitUntil } from '../utils/wait-until';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';

/** The statuses a client may see from a database-backed route under a database fault (SPEC status table). */
export const DOCUMENTED_STATUSES = [200, 201, 503, 504];

/** Small timeouts so each scenario is short; every bound below derives from them. */
export const FAULT_ENV = {
  DB_STATEMENT_TIMEOUT_MS: '1000',
  DB_ACQUIRE_TIMEOUT_MS: '1000',
  REQUEST_TIMEOUT_MS: '3000',
  HEALTH_DB_TIMEOUT_MS: '500',
  HEALTH_CACHE_TTL_MS: '0',
  DB_POOL_MIN: '2',
  DB_POOL_MAX: '5',
  LOG_LEVEL: 'warn',
};

/** No request may take longer than the request deadline plus this margin (a loaded 2-core machine). */
export const HANG_MARGIN_MS = 2000;
/** The longest any client request may take under a fault. */
export const WORST_ALLOWED_MS = Number(FAULT_ENV.REQUEST_TIMEOUT_MS) + HANG_MARGIN_MS;
/** Recovery after the fault ends must take less than this. */
export const RECOVERY_BOUND_MS = 15_000;

/** What one client request saw. */
export interface Seen {
  status: number;
  ms: number;
  type: string | null;
  retryAfter: string | null;
  body: Record<string, unknown> | undefined;
}

/** One request; status 0 when no response came within `timeoutMs` (a hang) or the connection failed. */
export async function call(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  timeoutMs = WORST_ALLOWED_MS + 5000,
): Promise<Seen> {
  const started = performance.now();
  try {
    const res = await fetch(baseUrl + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = undefined;
    }
    return {
      status: res.status,
      ms: Math.round(performance.now() - started),
      type: res.headers.get('content-type'),
      retryAfter: res.headers.get('retry-after'),
      body: parsed,
    };
  } catch {
    return { status: 0, ms: Math.round(performance.now() - started), type: null, retryAfter: null, body: undefined };
  }
}

/** Counts what clients saw in one scenario and prints the summary line the fault table is built from. */
export class Tally {
  readonly statuses: Record<string, number> = {};
  readonly offending: Seen[] = [];
  sent = 0;
  worstMs = 0;
  recoveryMs: number | undefined;
  /** From the fault's start to the first readiness 503. */
  unreadyMs: number | undefined;

  constructor(readonly scenario: string) {}

  record(seen: Seen): Seen {
    this.sent += 1;
    this.statuses[seen.status] = (this.statuses[seen.status] ?? 0) + 1;
    this.worstMs = Math.max(this.worstMs, seen.ms);
    const undocumented = !DOCUMENTED_STATUSES.includes(seen.status);
    const unproblematic = seen.status >= 500 && !(seen.type ?? '').startsWith('application/problem+json');
    const no503Retry = seen.status === 503 && !seen.retryAfter;
    if (undocumented || unproblematic || no503Retry || seen.ms > WORST_ALLOWED_MS) this.offending.push(seen);
    return seen;
  }

  line(): string {
    const statuses = Object.entries(this.statuses)
      .map(([status, count]) => `${status}x${count}`)
      .join(' ');
    return `[fault] scenario=${this.scenario} sent=${this.sent} statuses=${statuses} worst_ms=${this.worstMs} unready_ms=${this.unreadyMs ?? '-'} recovery_ms=${this.recoveryMs ?? '-'}`;
  }

  print(): void {
    process.stdout.write(`${this.line()}\n`);
  }

  /** Every response documented, problem+json with Retry-After where 5xx/503, none past the deadline + margin. */
  assertClean(): void {
    expect({
      scenario: this.scenario,
      offending: this.offending.map(({ status, ms, body }) => ({ status, ms, type: body?.['type'] })),
    }).toEqual({ scenario: this.scenario, offending: [] });
  }
}

/** Polls `probe` until it gives `status`; milliseconds it took. Rejects after `timeoutMs`. */
export function until(probe: () => Promise<number>, status: number, timeoutMs: number): Promise<number> {
  let last = -1;
  return waitUntil(async () => (last = await probe()) === status, { timeoutMs, what: () => `status ${status} (last: ${last})` });
}

/** Status of one probe request (0 when none came). */
export async function statusOf(baseUrl: string, path: string): Promise<number> {
  return (await call(baseUrl, 'GET', path, undefined, 5000)).status;
}

/** Concurrent clients looping over reads and writes until stopped; records each 201's id for the ledger. */
export class Traffic {
  readonly created: string[] = [];
  private running = true;
  private readonly workers: Promise<void>[];

  constructor(
    baseUrl: string,
    private readonly tally: Tally,
    { clients = 4, writes = true, live = true }: { clients?: number; writes?: boolean; live?: boolean } = {},
  ) {
    this.workers = Array.from({ length: clients }, (_, i) =>
      (async () => {
        for (let n = 0; this.running; n++) {
          const write = writes && (n + i) % 2 === 0;
          const seen = write
            ? await call(baseUrl, 'POST', '/api/v1/users', { email: `${randomUUID()}@faults.test`, name: 'fault' })
            : await call(baseUrl, 'GET', '/api/v1/users?limit=1');
          this.tally.record(seen);
          if (seen.status === 201 && typeof seen.body?.['id'] === 'string') this.created.push(seen.body['id']);
          if (live) this.liveStatuses.push((await call(baseUrl, 'GET', '/health/live', undefined, 5000)).status);
          if (seen.status !== 200 && seen.status !== 201) await sleep(20);
        }
      })(),
    );
  }

  /** Every /health/live answer seen while the traffic ran. */
  readonly liveStatuses: number[] = [];

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }
}

/** The ledger: every 201 a client received is a row afterwards, and no row exists twice. */
export async function assertLedger(databaseUrl: string, created: string[]): Promise<{ rows: number; acknowledged: number }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const ids = (await client.query<{ id: string }>('SELECT id FROM users')).rows.map((row) => row.id);
    const dupes = (
      await client.query<{ email: string }>('SELECT lower(email) AS email FROM users GROUP BY lower(email) HAVING count(*) > 1')
    ).rows;
    const present = new Set(ids);
    expect(created.filter((id) => !present.has(id))).toEqual([]);
    expect(new Set(created).size).toBe(created.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dupes).toEqual([]);
    return { rows: ids.length, acknowledged: created.length };
  } finally {
    await client.end();
  }
}

/** The URL of `databaseUrl`'s database reached through 127.0.0.1:`port` (a fault proxy). */
export function throughPort(databaseUrl: string, port: number): string {
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

/** One fault scenario against a running service: traffic, fault, heal, recovery; returns what clients saw. */
export interface ScenarioOptions {
  name: string;
  baseUrl: string;
  fault: () => Promise<void>;
  heal: () => Promise<void>;
  /** How long the fault lasts. */
  faultMs?: number;
  clients?: number;
  /** The service's log so far: its error lines are printed when a client saw something undocumented. */
  output?: () => string;
}

/** What a scenario measured, for its asserts and the summary line. */
export interface ScenarioResult {
  tally: Tally;
  created: string[];
  unreadyAfterMs: number;
  recoveryMs: number;
}

/** Health timeout plus a margin for a loaded machine: readiness must turn 503 within this after a fault starts. */
export const UNREADY_BOUND_MS = Number(FAULT_ENV.HEALTH_DB_TIMEOUT_MS) + 3000;

/**
 * Runs traffic (reads and writes, plus /health/live after each), starts the fault, waits until readiness says
 * 503, keeps the fault for `faultMs`, heals it and measures the recovery: until both readiness and a database
 * route answer 200 again. Asserts the client-side rules and prints the summary line.
 */
export async function runScenario({
  name,
  baseUrl,
  fault,
  heal,
  faultMs = 2500,
  clients = 4,
  output,
}: ScenarioOptions): Promise<ScenarioResult> {
  expect(await statusOf(baseUrl, '/health/ready')).toBe(200);
  const tally = new Tally(name);
  const traffic = new Traffic(baseUrl, tally, { clients });
  await sleep(300);
  const faultAt = performance.now();
  await fault();
  let unreadyAfterMs: number;
  try {
    unreadyAfterMs = await until(() => statusOf(baseUrl, '/health/ready'), 503, UNREADY_BOUND_MS);
    tally.unreadyMs = unreadyAfterMs;
    await sleep(Math.max(0, faultMs - (performance.now() - faultAt)));
  } finally {
    await heal();
  }
  const healedAt = performance.now();
  await Promise.all([
    until(() => statusOf(baseUrl, '/health/ready'), 200, RECOVERY_BOUND_MS),
    until(() => statusOf(baseUrl, '/api/v1/users?limit=1'), 200, RECOVERY_BOUND_MS),
  ]);
  tally.recoveryMs = Math.round(performance.now() - healedAt);
  await sleep(300);
  await traffic.stop();
  tally.print();
  if (tally.offending.length > 0 && output) {
    const errors = output()
      .split('\n')
      .filter((line) => line.includes('"level":"error"') || line.includes('"level":50'));
    process.stdout.write(`[fault] ${name}: service error log lines:\n${errors.slice(0, 10).join('\n')}\n`);
  }
  tally.assertClean();
  expect(traffic.liveStatuses.filter((status) => status !== 200)).toEqual([]);
  expect(tally.recoveryMs).toBeLessThan(RECOVERY_BOUND_MS);
  return { tally, created: traffic.created, unreadyAfterMs, recoveryMs: tally.recoveryMs };
}
