import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Creates `idempotency_keys`: one row per (scope, key). The primary key serves lookups and claims; the
 * `expires_at` index serves the batched cleanup.
 */
export class CreateIdempotencyKeys1764100000000 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "idempotency_keys" (
        "scope" varchar(400) NOT NULL,
        "key" varchar(255) NOT NULL,
        "fingerprint" varchar(64) NOT NULL,
        "state" varchar(16) NOT NULL CHECK ("state" IN ('in_progress', 'completed')),
        "claim_token" uuid,
        "locked_until" timestamptz,
        "response_status" smallint,
        "response_headers" jsonb,
        "response_body" bytea,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        PRIMARY KEY ("scope", "key")
      )`);
    await queryRunner.query(`CREATE INDEX "idempotency_keys_expires_at_idx" ON "idempotency_keys" ("expires_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
  }
}
