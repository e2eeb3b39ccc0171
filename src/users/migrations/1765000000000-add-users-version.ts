import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Adds `users.version`, the row version behind the ETag that `PATCH`/`DELETE` check with If-Match. */
export class AddUsersVersion1765000000000 implements MigrationInterface {
  name = 'AddUsersVersion1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A constant default fills existing rows without rewriting the table (PostgreSQL 11+).
    await queryRunner.query(`ALTER TABLE "users" ADD COLUMN "version" integer NOT NULL DEFAULT 1`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "version"`);
  }
}
