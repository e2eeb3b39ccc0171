import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { createHash } from 'node:crypto';
import { escapeLiteral } from 'pg';
import type { Histogram } from 'prom-client';
import type { DataSource, QueryRunner } from 'typeorm';
import { adoptTransaction, endAdoptedTransaction } from './adopted-transaction';
import { IDEMPOTENCY_METRIC, IDEMPOTENCY_TABLE, type StoreOperation } from './idempotency.constants';
import type { StoredResponse } from './stored-response';

/** A key this request holds: the advisory lock of its open transaction on `runner`. */
export interface Claim {
  scope: string;
  key: string;
  fingerprint: string;
  /** The transaction holding the key's lock; the feature's write and the stored response commit in it. */
  runner: QueryRunner;
}

/** What stood in the way of a claim. */
export type ClaimConflict =
  | { kind: 'completed'; fingerprint: string; response: StoredResponse }
  | { kind: 'in_progress'; fingerprint?: string; retryAfterSeconds: number };

/** The answer to a claim: ours (run the handler), taken (answer from the conflict), or a stale row to clear first. */
export type ClaimResult = { claim: Claim } | { conflict: ClaimConflict } | { stale: true };

interface Row {
  fingerprint: string;
  state: 'in_progress' | 'completed';
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: Buffer | null;
  lease_left_ms: number | null;
}

interface PgResult<R> {
  rows: R[];
  rowCount: number | null;
}

type RawClient = { query: (text: string) => Promise<PgResult<unknown> | Array<PgResult<unknown>>> };

const T = `"${IDEMPOTENCY_TABLE}"`;
const UNIQUE_VIOLATION = '23505';

/**
 * The SQL of the idempotency table. A key is held by a transaction-scoped advisory lock on a hash of (scope, key),
 * tried without waiting: a concurrent attempt is refused at once (409) and a crashed holder frees it with its
 * connection. The feature's write and the completed row commit in that one transaction; the row's primary key is the
 * final arbiter (an INSERT, not an upsert), so whatever raced the lock, at most one write commits with its key.
 * Statements are batched in PostgreSQL's simple protocol (several per round trip; the values are escaped literals,
 * and each statement takes its own snapshot, so the lookup sees every commit made before the lock was granted).
 */
@Injectable()
export class IdempotencyStore {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectMetric(IDEMPOTENCY_METRIC.storeDuration) private readonly duration: Histogram<string>,
  ) {}

  /**
   * One round trip: begins a transaction, tries the key's lock, bounds how long the transaction may sit idle
   * (`leaseMs`: a hung or partitioned holder is cut by PostgreSQL itself) and reads the key's live row. The runner is
   * released unless the claim is ours.
   */
  async claim(scope: string, key: string, fingerprint: string, leaseMs: number): Promise<ClaimResult> {
    const runner = this.dataSource.createQueryRunner();
    let ours = false;
    try {
      const client = (await runner.connect()) as RawClient;
      const results = await this.timed('claim', () =>
        client.query(
          `START TRANSACTION;
           SELECT pg_try_advisory_xact_lock(${lockIdOf(scope, key)}) AS locked;
           SET LOCAL idle_in_transaction_session_timeout = ${Math.max(1, Math.ceil(leaseMs))};
           SELECT "fingerprint", "state", "response_status", "response_headers", "response_body", "expires_at" <= now() AS expired,
                  (extract(epoch FROM "locked_until" - now()) * 1000)::float8 AS lease_left_ms
             FROM ${T} WHERE "scope" = ${escapeLiteral(scope)} AND "key" = ${escapeLiteral(key)}`,
        ),
      );
      adoptTransaction(runner);
      const [, lock, , lookup] = results as Array<PgResult<unknown>>;
      const locked = (lock?.rows[0] as { locked: boolean } | undefined)?.locked === true;
      const row = lookup?.rows[0] as (Row & { expired: boolean }) | undefined;
      const live = row && !row.expired ? row : undefined;
      if (live) {
        const conflict = conflictOf(live, fingerprint);
        if (conflict) return { conflict };
      }
      if (!locked) return { conflict: { kind: 'in_progress', retryAfterSeconds: 1 } };
      // An expired row, or an in-progress row of an earlier design whose lease ran out: cleared, then claimed again.
      if (row) return { stale: true };
      ours = true;
      return { claim: { scope, key, fingerprint, runner } };
    } finally {
      if (!ours) await this.end(runner);
    }
  }

  /** Deletes the key's row when it no longer answers (expired, or in progress past its lease with this fingerprint). */
  async clearStale(scope: string, key: string, fingerprint: string): Promise<void> {
    await this.timed('release', () =>
      this.dataSource.query(
        `DELETE FROM ${T} WHERE "scope" = $1 AND "key" = $2
            AND ("expires_at" <= now() OR ("state" = 'in_progress' AND "locked_until" <= now() AND "fingerprint" = $3))`,
        [scope, key, fingerprint],
      ),
    );
  }

  /** The live row that blocked a claim; null when there is none (or it vanished meanwhile). */
  async conflictOf(scope: string, key: string): Promise<ClaimConflict | null> {
    const rows = await this.timed('lookup', () =>
      this.dataSource.query<Row[]>(
        `SELECT "fingerprint", "state", "response_status", "response_headers", "response_body",
                (extract(epoch FROM "locked_until" - now()) * 1000)::float8 AS lease_left_ms
           FROM ${T} WHERE "scope" = $1 AND "key" = $2 AND "expires_at" > now()`,
        [scope, key],
      ),
    );
    const row = rows[0];
    return row ? (conflictOf(row, undefined) ?? null) : null;
  }

  /**
   * One round trip: stores the completed key with its response in the claim's transaction and commits it (with the
   * feature's write). False when another attempt stored the key first (the transaction is then rolled back: nothing
   * of this attempt is written). Throws when the commit failed for another reason (connection lost: outcome unknown).
   */
  async commit(claim: Claim, response: StoredResponse, ttlSeconds: number): Promise<boolean> {
    const client = (await claim.runner.connect()) as RawClient;
    try {
      await this.timed('complete', () => client.query(`${insertCompleted(claim, response, ttlSeconds)}; COMMIT`));
      endAdoptedTransaction(claim.runner);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return false;
      throw error;
    } finally {
      await this.end(claim.runner);
    }
  }

  /** Stores a final outcome on its own (after a failed handler's transaction was rolled back); false when the key was taken. */
  async store(claim: Omit<Claim, 'runner'>, response: StoredResponse, ttlSeconds: number): Promise<boolean> {
    try {
      await this.timed('complete', () => this.dataSource.query(insertCompleted(claim, response, ttlSeconds)));
      return true;
    } catch (error) {
      if ((error as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION) return false;
      throw error;
    }
  }

  /** Rolls the claim's transaction back (the lock goes with it) and returns the connection; never throws. */
  async end(runner: QueryRunner): Promise<void> {
    try {
      if (runner.isTransactionActive && !runner.isReleased) {
        await this.timed('release', () => runner.query('ROLLBACK'));
      }
    } catch {
      // A broken connection rolled back on the server already; the pool destroys it.
    }
    endAdoptedTransaction(runner);
    try {
      if (!runner.isReleased) await runner.release();
    } catch {
      // Already released by TypeORM after a connection error.
    }
  }

  /** Deletes up to `limit` expired rows; returns how many. Bounded: a DELETE of a ctid list, never the whole backlog. */
  async deleteExpired(limit: number): Promise<number> {
    const rows = await this.timed('cleanup', () =>
      this.dataSource.query<unknown>(
        `DELETE FROM ${T} WHERE ctid IN (SELECT ctid FROM ${T} WHERE "expires_at" <= now() ORDER BY "expires_at" LIMIT $1) RETURNING 1`,
        [limit],
      ),
    );
    return affectedRows(rows);
  }

  private async timed<R>(operation: StoreOperation, run: () => Promise<R>): Promise<R> {
    const end = this.duration.startTimer({ operation });
    try {
      return await run();
    } finally {
      end();
    }
  }
}

/** The row as a conflict: a completed answer, a running claim of an earlier design, or nothing (a lease-expired claim of ours). */
function conflictOf(row: Row, fingerprint: string | undefined): ClaimConflict | undefined {
  if (row.state === 'completed') {
    return {
      kind: 'completed',
      fingerprint: row.fingerprint,
      response: { status: row.response_status ?? 200, headers: row.response_headers ?? {}, body: row.response_body ?? Buffer.alloc(0) },
    };
  }
  const leaseLeftMs = row.lease_left_ms ?? 0;
  if (leaseLeftMs <= 0 && row.fingerprint === fingerprint) return undefined;
  return { kind: 'in_progress', fingerprint: row.fingerprint, retryAfterSeconds: Math.max(1, Math.ceil(leaseLeftMs / 1000)) };
}

/** The completed row's INSERT as one literal statement (it shares a round trip with COMMIT). */
function insertCompleted(claim: Omit<Claim, 'runner'>, response: StoredResponse, ttlSeconds: number): string {
  return `INSERT INTO ${T} ("scope", "key", "fingerprint", "state", "response_status", "response_headers", "response_body", "expires_at")
    VALUES (${escapeLiteral(claim.scope)}, ${escapeLiteral(claim.key)}, ${escapeLiteral(claim.fingerprint)}, 'completed',
            ${Math.trunc(response.status)}, ${escapeLiteral(JSON.stringify(response.headers))}::jsonb,
            '\\x${response.body.toString('hex')}'::bytea, now() + ${Math.trunc(ttlSeconds)} * interval '1 second')`;
}

/** A signed 64-bit advisory lock id from (scope, key): collisions only make two keys share a lock (a spurious 409). */
export function lockIdOf(scope: string, key: string): string {
  return createHash('sha256').update(scope).update('\0').update(key).digest().readBigInt64BE(0).toString();
}

/** TypeORM's postgres driver answers an UPDATE/DELETE as `[rows, rowCount]`, other statements as the rows. */
function affectedRows(result: unknown): number {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[1];
  return Array.isArray(result) ? result.length : 0;
}
