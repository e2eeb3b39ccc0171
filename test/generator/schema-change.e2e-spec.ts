import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type AppProcess, startAppProcess } from '../utils/app-process';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';

const ROOT = join(__dirname, '..', '..');
const PROJECT_FILES = [
  'src',
  'scripts',
  'tools',
  'docs',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'eslint.config.mjs',
  '.prettierrc.json',
  '.prettierignore',
].filter((file) => existsSync(join(ROOT, file)));

/** The code block under `<!-- walkthrough:<name> -->` in docs/extending.md: the test runs what the doc says. */
function snippet(name: string): string {
  const doc = readFileSync(join(ROOT, 'docs', 'extending.md'), 'utf8');
  const block = new RegExp(`<!-- walkthrough:${name} -->\\n\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(doc)?.[1];
  if (!block) throw new Error(`docs/extending.md has no walkthrough:${name} block`);
  return block;
}

/** docs/extending.md, "A schema change": a required column on a table with rows, replayed in a copy of the project. */
describe('schema change walkthrough (docs/extending.md, replayed in a temporary copy of the project)', () => {
  let copy: string;
  let database: TestDatabase;
  let app: AppProcess | undefined;

  beforeAll(async () => {
    copy = mkdtempSync(join(tmpdir(), 'ballast-schema-change-'));
    for (const file of PROJECT_FILES) cpSync(join(ROOT, file), join(copy, file), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await app?.stop('SIGKILL');
    await database?.drop();
    rmSync(copy, { recursive: true, force: true });
  });

  const env = () => ({ ...process.env, DATABASE_URL: database.url });
  const node = (...args: string[]) => execFileSync(process.execPath, args, { cwd: copy, encoding: 'utf8', env: env(), stdio: 'pipe' });
  const build = () => node('node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json');
  const migrate = () => node('node_modules/typeorm/cli.js', 'migration:run', '-d', 'dist/data-source.js');
  const generate = (name: string) => node('scripts/generate-migration.js', 'users', name);
  const edit = (file: string, change: (text: string) => string) => {
    const path = join(copy, file);
    const before = readFileSync(path, 'utf8');
    const after = change(before);
    if (after === before) throw new Error(`${file}: the edit changed nothing`);
    writeFileSync(path, after);
  };
  async function sql<R extends object>(text: string, params: unknown[] = []): Promise<R[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as R[];
    } finally {
      await client.end();
    }
  }
  const insertUser = (name: string, email: string) =>
    sql(`INSERT INTO "users" ("id", "email", "name") VALUES (gen_random_uuid(), $1, $2)`, [email, name]);

  it('adds a nullable column and backfills it (release 1), then makes it NOT NULL (release 2), with the generator writing each migration', async () => {
    build();
    migrate();
    await insertUser('Ada Lovelace', 'ada@example.com');
    await insertUser('Grace Hopper', 'grace@example.com');

    // Release 1: the entity, then the generated migration with the backfill below its ALTER.
    edit('src/users/user.entity.ts', (text) => text.replace('  @CreateDateColumn', `${snippet('entity-nullable')}\n  @CreateDateColumn`));
    build();
    const printed = generate('add-user-nickname');
    const file = /wrote (src\/users\/migrations\/(\d{13})-add-user-nickname\.ts) \(AddUserNickname\2\) and registered it/.exec(
      printed,
    )?.[1];
    expect([printed, file]).toEqual([expect.stringContaining('next:'), expect.any(String)]);
    expect(readFileSync(join(copy, file!), 'utf8')).toContain('ALTER TABLE "users" ADD "nickname" character varying(100)`');
    expect(readFileSync(join(copy, 'src/users/users.migrations.ts'), 'utf8')).toMatch(
      /AddUsersVersion1765000000000,\s+AddUserNickname\d{13},?\s*\]/,
    );
    edit(file!, (text) => text.replace(/(ADD "nickname" character varying\(100\)`\);\n)/, `$1${snippet('backfill')}`));

    // The API of release 1, as the doc says.
    edit('src/users/dto/create-user.dto.ts', (text) =>
      text
        .replace("import { ApiProperty } from '@nestjs/swagger';", "import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';")
        .replace('IsNotEmpty, IsString', 'IsNotEmpty, IsOptional, IsString')
        .replace(/\n}\n$/, `\n\n${snippet('dto')}}\n`),
    );
    edit('src/users/dto/user.response.ts', (text) =>
      text
        .replace("  @ApiProperty({ format: 'date-time'", `${snippet('response')}\n  @ApiProperty({ format: 'date-time'`)
        .replace('name: user.name,', "name: user.name, nickname: user.nickname ?? user.name.split(' ')[0],"),
    );
    edit('src/users/users.service.ts', (text) =>
      text
        .replace(
          'email: dto.email, name: dto.name });',
          "email: dto.email, name: dto.name, nickname: dto.nickname ?? dto.name.split(' ')[0] });",
        )
        .replace('{ email: dto.email, name: dto.name };', '{ email: dto.email, name: dto.name, nickname: dto.nickname };'),
    );
    node('node_modules/prettier/bin/prettier.cjs', '--write', '--log-level', 'warn', 'src/users');
    const lint = spawnSync(process.execPath, ['node_modules/eslint/bin/eslint.js', '--max-warnings', '0', 'src/users'], {
      cwd: copy,
      encoding: 'utf8',
    });
    expect([lint.status, lint.stdout]).toEqual([0, '']);
    build(); // type-checks src/ as it compiles

    // The migration runs at boot; the existing rows are filled, the API defaults and accepts the field.
    app = await startAppProcess({ DATABASE_URL: database.url, DB_POOL_MIN: '1' }, { mainJs: join(copy, 'dist', 'main.js') });
    await app.waitFor('/health/ready', 200, 60_000);
    expect(await sql('SELECT "name", "nickname" FROM "users" ORDER BY "email"')).toEqual([
      { name: 'Ada Lovelace', nickname: 'Ada' },
      { name: 'Grace Hopper', nickname: 'Grace' },
    ]);
    const post = async (body: object) =>
      fetch(`${app!.baseUrl}/api/v1/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const defaulted = await post({ email: 'alan@example.com', name: 'Alan Turing' });
    expect([defaulted.status, ((await defaulted.json()) as { nickname: string }).nickname]).toEqual([201, 'Alan']);
    const given = await post({ email: 'kat@example.com', name: 'Katherine Johnson', nickname: 'Kat' });
    expect([given.status, ((await given.json()) as { nickname: string }).nickname]).toEqual([201, 'Kat']);
    const bad = await post({ email: 'x@example.com', name: 'X', nickname: 42 });
    expect([bad.status, ((await bad.json()) as { errors: unknown }).errors]).toEqual([
      400,
      [{ field: 'nickname', message: 'nickname must be a string' }],
    ]);
    await app.stop();
    app = undefined;
    // A row an old pod wrote during the rollout: it knows no nickname.
    await insertUser('Edsger Dijkstra', 'edsger@example.com');

    // Release 2: NOT NULL, after the same backfill for the old pods' rows.
    edit('src/users/user.entity.ts', (text) =>
      text.replace('length: 100, nullable: true })\n  nickname!: string | null;', 'length: 100 })\n  nickname!: string;'),
    );
    build();
    const second = /wrote (src\/users\/migrations\/\d{13}-require-user-nickname\.ts)/.exec(generate('require-user-nickname'))?.[1];
    expect(readFileSync(join(copy, second!), 'utf8')).toContain('ALTER TABLE "users" ALTER COLUMN "nickname" SET NOT NULL`');
    edit(second!, (text) => text.replace(/(async up\(queryRunner: QueryRunner\): Promise<void> \{\n)/, `$1${snippet('backfill')}`));
    build();
    migrate();
    expect(
      await sql(`SELECT "is_nullable" FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'nickname'`),
    ).toEqual([{ is_nullable: 'NO' }]);
    expect(await sql(`SELECT "nickname" FROM "users" WHERE "email" = 'edsger@example.com'`)).toEqual([{ nickname: 'Edsger' }]);
    // Nothing left between the entities and the database.
    const agree = spawnSync(process.execPath, ['scripts/generate-migration.js', 'users', 'nothing-left'], {
      cwd: copy,
      encoding: 'utf8',
      env: env(),
    });
    expect([agree.status, agree.stderr]).toEqual([1, expect.stringContaining('the entities and the database already agree')]);
  }, 300_000);

  it('warns when a NOT NULL column without a default is added to a table, naming the three steps', () => {
    edit('src/users/user.entity.ts', (text) =>
      text.replace('  @CreateDateColumn', "  @Column({ type: 'varchar', length: 20 })\n  plan!: string;\n\n  @CreateDateColumn"),
    );
    build();
    const printed = generate('add-user-plan');
    expect(printed).toContain('warning: "users"."plan" is added NOT NULL without a default: this fails on a table that has rows');
    expect(printed).toMatch(/backfill.*SET NOT NULL/);
  }, 120_000);
});
