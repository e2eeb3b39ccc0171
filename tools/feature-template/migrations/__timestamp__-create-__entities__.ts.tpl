import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Creates `__table__`. */
export class Create__Entities____timestamp__ implements MigrationInterface {
  name = 'Create__Entities____timestamp__';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "__table__" (
        "id" uuid PRIMARY KEY,
        "name" varchar(200) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "__table__"`);
  }
}
