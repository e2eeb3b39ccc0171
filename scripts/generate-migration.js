#!/usr/bin/env node
/**
 * `npm run migration:generate -- <feature> <Name> [--empty]`: diffs the entities (built dist/) against the database
 * (DATABASE_URL, else the embedded one `npm start` runs) and writes the difference as a migration into
 * src/<feature>/migrations/<timestamp>-<name>.ts, in the generator's naming and the project's Prettier format,
 * registers its class in src/<feature>/<feature>.migrations.ts, and prints what else the change needs. --empty writes
 * an empty migration to fill by hand (a backfill, a data fix). --root=<dir> targets another checkout (its tests).
 *
 * TypeORM's own `migration:generate` does the diff; this wraps it because its file has another naming
 * (`1796694160665-AddTotal.ts`), formatting and place, and it registers nothing.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const prettier = require('prettier');

function fail(message) {
  process.stderr.write(`migration:generate: ${message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const positional = args.filter((a) => !a.startsWith('--'));
const root = path.resolve(args.find((a) => a.startsWith('--root='))?.slice('--root='.length) ?? path.join(__dirname, '..'));
const empty = args.includes('--empty');
const unknown = args.filter((a) => a.startsWith('--') && a !== '--empty' && !a.startsWith('--root='));
if (unknown.length > 0) fail(`unknown option ${unknown.join(', ')}; expected --empty`);
const [feature, rawName] = positional;
if (!feature || !rawName || positional.length !== 2)
  fail('usage: npm run migration:generate -- <feature> <Name> [--empty]   (e.g. users AddUserNickname, or users add-user-nickname)');

const featureDir = path.join(root, 'src', feature);
const registry = path.join(featureDir, `${feature}.migrations.ts`);
if (!fs.existsSync(registry)) fail(`src/${feature}/${feature}.migrations.ts not found: <feature> is a folder under src/ (e.g. users)`);

/** "AddUserNickname" or "add-user-nickname" → ["add", "user", "nickname"]. */
const words = /^[A-Z][A-Za-z0-9]*$/.test(rawName)
  ? rawName.split(/(?=[A-Z])/).map((w) => w.toLowerCase())
  : /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(rawName)
    ? rawName.split('-')
    : fail(`"${rawName}" is neither PascalCase (AddUserNickname) nor kebab-case (add-user-nickname)`);
const timestamp = String(Date.now());
const className = `${words.map((w) => w[0].toUpperCase() + w.slice(1)).join('')}${timestamp}`;
const fileBase = `${timestamp}-${words.join('-')}`;

/** A query as a line of the migration, the way TypeORM's generator writes it (template literal, parameters if any). */
const asCall = (query) => {
  const sql = query.query.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  const params = query.parameters?.length ? `, ${JSON.stringify(query.parameters)}` : '';
  return `    await queryRunner.query(\`${sql}\`${params});`;
};

/** The difference between the built entities and the database, after checking no migration is pending. */
async function diff() {
  const dataSourceFile = path.join(root, 'dist', 'data-source.js');
  if (!fs.existsSync(dataSourceFile)) fail('dist/data-source.js not found: run `npm run build` first (the npm script does)');
  const dataSource = require(dataSourceFile).default;
  dataSource.setOptions({ synchronize: false, migrationsRun: false, dropSchema: false, logging: false });
  await dataSource.initialize();
  try {
    const { MigrationExecutor } = require(path.join(root, 'node_modules', 'typeorm'));
    if ((await new MigrationExecutor(dataSource).getPendingMigrations()).length > 0)
      fail(
        'migrations are pending on this database: run them first (`npm run migration:run`, or start the service), so that the diff holds only your change',
      );
    return await dataSource.driver.createSchemaBuilder().log();
  } finally {
    await dataSource.destroy();
  }
}

/** Adds the import and the class to `defineMigrations(__dirname, [...])`. */
function register(text) {
  const list = /(defineMigrations\(__dirname, \[)([^\]]*)(\]\))/;
  const match = list.exec(text);
  if (!match) fail(`${path.relative(root, registry)}: no defineMigrations(__dirname, [...]) to register ${className} in; add it by hand`);
  const entries = match[2].trim().replace(/,$/, '');
  let out = text.replace(list, `${match[1]}${entries ? `${entries}, ` : ''}${className}${match[3]}`);
  const lastImport = [...out.matchAll(/^import [^;]*;$/gms)].at(-1);
  const at = lastImport ? lastImport.index + lastImport[0].length : 0;
  out = `${out.slice(0, at)}\nimport { ${className} } from './migrations/${fileBase}';${out.slice(at)}`;
  return out;
}

/** Statements adding a NOT NULL column without a default: they fail on a table that has rows. */
const NOT_NULL_WITHOUT_DEFAULT = /ALTER TABLE "([^"]+)" ADD "([^"]+)" [^`]*NOT NULL(?![^`]*DEFAULT)/;

async function main() {
  const sql = empty ? { upQueries: [], downQueries: [] } : await diff();
  if (!empty && sql.upQueries.length === 0)
    fail('the entities and the database already agree: change the entity first, or pass --empty for a hand-written migration');
  const up = sql.upQueries.map(asCall);
  const down = sql.downQueries.map(asCall);
  const file = path.join(featureDir, 'migrations', `${fileBase}.ts`);
  const text = `import type { MigrationInterface, QueryRunner } from 'typeorm';

/** ${words.join(' ').replace(/^./, (c) => c.toUpperCase())}. Written by \`npm run migration:generate\`: read it before it runs. */
export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${up.length > 0 ? up.join('\n') : '    // await queryRunner.query(`UPDATE ...`);'}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${down.length > 0 ? down.join('\n') : '    // undo what up() did'}
  }
}
`;
  const options =
    (await prettier.resolveConfig(path.join(root, 'package.json'))) ??
    (await prettier.resolveConfig(path.join(__dirname, 'generate-migration.js'))) ??
    {};
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
  fs.writeFileSync(registry, await prettier.format(register(fs.readFileSync(registry, 'utf8')), { ...options, filepath: registry }));

  const lines = [
    `wrote src/${feature}/migrations/${fileBase}.ts (${className}) and registered it in src/${feature}/${feature}.migrations.ts`,
  ];
  const risky = sql.upQueries.map((q) => NOT_NULL_WITHOUT_DEFAULT.exec(q.query)).filter(Boolean);
  for (const [, table, column] of risky)
    lines.push(
      `warning: "${table}"."${column}" is added NOT NULL without a default: this fails on a table that has rows. Split it in the migration:`,
      `  ADD the column without NOT NULL (or with a DEFAULT), UPDATE "${table}" SET "${column}" = … (backfill), then ALTER COLUMN "${column}" SET NOT NULL`,
      '  (docs/extending.md, "A schema change").',
    );
  lines.push(
    'next:',
    `  - read the migration; up() and down() must both work (npm run migration:run, npm run migration:revert)`,
    `  - the API: src/${feature}/dto/create-*.dto.ts (validation; a new required field breaks existing clients: give it a default),`,
    `    the update DTO follows the create DTO, src/${feature}/dto/*.response.ts (the field and the to…Response mapper), the service's create()`,
    `  - the tests: test/${feature}.e2e-spec.ts (bodies and expected responses), then npm test -- test/${feature}.e2e-spec.ts`,
    '  - the migration runs at the next start (npm start), under the migration lock',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
