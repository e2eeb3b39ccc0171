import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { randomUUID } from 'node:crypto';
import type { Histogram } from 'prom-client';
import type { DataSource, QueryRunner } from 'typeorm';
import { IDEMPOTENCY_METRIC, IDEMPOTENCY_TABLE, type StoreOperation } from './idempotency.constants';
import type { StoredResponse } from './stored-response';

/** A key this process holds: only the holder of `token` may complete or release it. */
export interface Claim {
  scope: string;
  key: string;
  token: string;
}

/** What stood in the way of a claim. */
export type ClaimConflict =
  | { kind: 'completed'; fingerprint: string; response: StoredResponse }
  | { kind: 'in_progress'; fingerprint: string; retryAfterSeconds: number };

interface Row {
  fingerprint: string;
  state: 'in_progress' | 'completed';
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: Buffer | null;
  lease_left_ms: number | null;
}

const T = `"${IDEMPOTENCY_TABLE}"`;

/**
 * The SQL of the idempotency table. A claim is one `INSERT … ON CONFLICT DO UPDATE … WHERE` statement: it creates
 * the row, or takes over an expired row or an in-progress row whose lease ran out (same fingerprint only), and
 * otherwise leaves the row alone — so two racing claims can never both win (the row lock decides).
 */
@Injectable()
export class IdempotencyStore {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectMetric(IDEMPOTENCY_METRIC.storeDuration) private readonly duration: Histogram<string>,
  ) {}

  /** Claims (scope, key) as in progress for `leaseMs`; null when the row exists and is not ours to take. */
  async claim(scope: string, key: string, fingerprint: string, leaseMs: number, ttlSeconds: number): Promise<Claim | null> {
    const token = randomUUID();
    const rows = await this.timed('claim', () =>
      this.dataSource.query<Array<{ claim_token: string }>>(
        `INSERT INTO ${T} AS k ("scope", "key", "fingerprint", "state", "claim_token", "locked_until", "expires_at")
         VALUES ($1, $2, $3, 'in_progress', $4, now() + $5 * interval '1 millisecond', now() + $6 * interval '1 second')
         ON CONFLICT ("scope", "key") DO UPDATE SET
           "fingerprint" = EXCLUDED."fingerprint", "state" = 'in_progress', "claim_token" = EXCLUDED."claim_token",
           "locked_until" = EXCLUDED."locked_until", "expires_at" = EXCLUDED."expires_at", "created_at" = now(),
           "response_status" = NULL, "response_headers" = NULL, "response_body" = NULL
         WHERE k."expires_at" <= now()
            OR (k."state" = 'in_progress' AND k."locked_until" <= now() AND k."fingerprint" = EXCLUDED."fingerprint")
         RETURNING k."claim_token"`,
        [scope, key, fingerprint, token, leaseMs, ttlSeconds],
      ),
    );
    return rows.length === 1 ? { scope, key, token } : null;
  }

  /** The live row that blocked a claim; null when it vanished (expired and cleaned, or released) meanwhile. */
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
    if (!row) return null;
    if (row.state === 'completed') {
      return {
        kind: 'completed',
        fingerprint: row.fingerprint,
        response: { status: row.response_status ?? 200, headers: row.response_headers ?? {}, body: row.response_body ?? Buffer.alloc(0) },
      };
    }
    return {
      kind: 'in_progress',
      fingerprint: row.fingerprint,
      retryAfterSeconds: Math.max(1, Math.ceil((row.lease_left_ms ?? 0) / 1000)),
    };
  }

  /**
   * Marks the claim completed with its response, on `runner` (inside the feature's transaction when there is one).
   * False when the claim is no longer ours (its lease ran out and another attempt took it): the caller must roll back.
   */
  async complete(claim: Claim, response: StoredResponse, runner?: QueryRunner): Promise<boolean> {
    const rows: unknown = await this.timed('complete', () =>
      (runner ?? this.dataSource).query<unknown>(
        `UPDATE ${T} SET "state" = 'completed', "claim_token" = NULL, "locked_until" = NULL,
                "response_status" = $4, "response_headers" = $5, "response_body" = $6
          WHERE "scope" = $1 AND "key" = $2 AND "claim_token" = $3
          RETURNING 1`,
        [claim.scope, claim.key, claim.token, response.status, JSON.stringify(response.headers), response.body],
      ),
    );
    return affectedRows(rows) === 1;
  }

  /** Deletes our in-progress claim so that a retry runs again (a non-final outcome). */
  async release(claim: Claim): Promise<void> {
    await this.timed('release', () =>
      this.dataSource.query(`DELETE FROM ${T} WHERE "scope" = $1 AND "key" = $2 AND "claim_token" = $3 AND "state" = 'in_progress'`, [
        claim.scope,
        claim.key,
        claim.token,
      ]),
    );
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

/** TypeORM's postgres driver answers an UPDATE/DELETE as `[rows, rowCount]`, other statements as the rows. */
function affectedRows(result: unknown): number {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[1];
  return Array.isArray(result) ? result.length : 0;
}
