import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';

/** What a retry storm came to. */
export interface StormReport {
  /** HTTP requests sent (first attempts and retries). */
  requestsSent: number;
  /** Keys (one logical create each) the clients started. */
  keys: number;
  /** Keys acknowledged with a 201 (first or replayed). */
  acknowledged: number;
  /** Keys given up on after `giveUpMs` of retries (never acknowledged). */
  givenUp: number;
  /** Answers by status (and `replayed`), network errors as `error`. */
  answers: Record<string, number>;
  /** Rows in `users` written by the storm. */
  rowsWritten: number;
  /** Keys with more than one row. */
  duplicates: number;
  /** Acknowledged keys whose row is missing or has another id than acknowledged. */
  acknowledgedMissing: number;
  /** A retry answered 409 "email taken" for its own committed write (what happens without keys). */
  falseConflicts: number;
}

/** Options of {@link runRetryStorm}. */
export interface StormOptions {
  baseUrl: string;
  /** Database the app writes to (read at the end to count rows). */
  databaseUrl: string;
  clients: number;
  /** How long clients keep starting new keys. */
  durationMs: number;
  /** Runs while the clients work (e.g. stop and start the database); awaited before the end. */
  during?: () => Promise<void>;
  /** Per key: retries stop after this long. */
  giveUpMs?: number;
  /** Unique tag of this storm's emails. */
  tag?: string;
  /** Extra headers on every request (a credential when the app authenticates). */
  headers?: Record<string, string>;
}

/**
 * N clients, each creating users one after another, each create under its own Idempotency-Key and retried the way
 * docs/idempotency.md tells clients to: on 503/504/409-in-progress/429 or a network error, wait Retry-After (or an
 * exponential backoff with full jitter, capped at 2 s) and send the same key and body again. Bounded in time.
 */
export async function runRetryStorm(options: StormOptions): Promise<StormReport> {
  const tag = options.tag ?? randomUUID().slice(0, 8);
  const giveUpMs = options.giveUpMs ?? 30_000;
  const answers: Record<string, number> = {};
  const acked = new Map<string, string>(); // email → id acknowledged
  let requestsSent = 0;
  let keys = 0;
  let givenUp = 0;
  let falseConflicts = 0;
  const stopAt = performance.now() + options.durationMs;
  const count = (what: string) => (answers[what] = (answers[what] ?? 0) + 1);

  async function createOne(client: number, n: number): Promise<void> {
    const email = `storm-${tag}-${client}-${n}@example.com`;
    const key = randomUUID();
    const body = JSON.stringify({ email, name: `Storm ${client}` });
    const giveUpAt = performance.now() + giveUpMs;
    for (let attempt = 0; ; attempt++) {
      requestsSent++;
      let retryAfterMs: number | undefined;
      try {
        const res = await fetch(`${options.baseUrl}/api/v1/users`, {
          method: 'POST',
          headers: { ...options.headers, 'content-type': 'application/json', 'idempotency-key': key },
          body,
          signal: AbortSignal.timeout(5000),
        });
        const text = await res.text();
        count(res.headers.get('idempotency-replayed') === 'true' ? `${res.status} replayed` : String(res.status));
        if (res.status === 201) {
          acked.set(email, (JSON.parse(text) as { id: string }).id);
          return;
        }
        if (res.status === 409 && text.includes('urn:ballast:problem:conflict')) {
          falseConflicts++;
          return;
        }
        if (res.status < 500 && res.status !== 409 && res.status !== 429) return; // a final answer: nothing to retry
        const retryAfter = Number(res.headers.get('retry-after'));
        if (retryAfter > 0) retryAfterMs = retryAfter * 1000;
      } catch {
        count('error');
      }
      if (performance.now() > giveUpAt) {
        givenUp++;
        return;
      }
      // Full jitter: a random wait up to the backoff, so clients that failed together do not retry together.
      const backoff = Math.min(2000, 50 * 2 ** attempt);
      await sleep(Math.min(retryAfterMs ?? Infinity, Math.random() * backoff + 10));
    }
  }

  const clients = Array.from({ length: options.clients }, async (_, client) => {
    for (let n = 0; performance.now() < stopAt; n++) {
      keys++;
      await createOne(client, n);
    }
  });
  await Promise.all([...clients, options.during?.()]);

  const db = new Client({ connectionString: options.databaseUrl });
  await db.connect();
  try {
    const rows = (await db.query<{ email: string; id: string }>(`SELECT email, id FROM users WHERE email LIKE $1`, [`storm-${tag}-%`]))
      .rows;
    const byEmail = new Map<string, string[]>();
    for (const row of rows) byEmail.set(row.email, [...(byEmail.get(row.email) ?? []), row.id]);
    let acknowledgedMissing = 0;
    for (const [email, id] of acked) if (!(byEmail.get(email) ?? []).includes(id)) acknowledgedMissing++;
    return {
      requestsSent,
      keys,
      acknowledged: acked.size,
      givenUp,
      answers,
      rowsWritten: rows.length,
      duplicates: [...byEmail.values()].filter((ids) => ids.length > 1).length,
      acknowledgedMissing,
      falseConflicts,
    };
  } finally {
    await db.end();
  }
}
