import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A migration class as TypeORM takes it (its name ends with the 13-digit timestamp of its file). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type MigrationClass = Function;

/** A feature's migrations: the classes, in order, and the folder their files live in. */
export interface FeatureMigrations {
  /** `<feature>/migrations`, where `npm run migration:generate` writes and the start-up check looks. */
  readonly dir: string;
  readonly classes: ReadonlyArray<MigrationClass>;
}

/** `src/<feature>/<feature>.migrations.ts`: `defineMigrations(__dirname, [CreateOrders1764…])`. */
export function defineMigrations(featureDir: string, classes: ReadonlyArray<MigrationClass>): FeatureMigrations {
  return { dir: join(featureDir, 'migrations'), classes };
}

/** A migration file exists on disk that no feature registered: the service would report ready and answer 500. */
export class MigrationNotRegisteredError extends Error {
  constructor(readonly files: string[]) {
    super(
      `Migration file(s) on disk but not registered:\n${files.map((f) => `  - ${f}`).join('\n')}\n` +
        "Add each file's class to the list in the feature's <feature>.migrations.ts (defineMigrations), " +
        '`npm run build` again, or delete the file (a stale dist/ file: `rm` it or rebuild from clean).',
    );
    this.name = MigrationNotRegisteredError.name;
  }
}

/** Timestamped migration files (`1764000000000-create-users.ts` or `.js`), not declarations, maps or specs. */
const MIGRATION_FILE = /^(\d{13})-[\w.-]+(?<!\.d|\.spec|\.test)\.(?:ts|js|cjs|mjs)$/;

/**
 * The migration files under `migrations.dir` whose timestamp no registered class carries, as paths relative
 * to the working directory. A missing folder has none.
 */
export function unregisteredMigrationFiles(migrations: FeatureMigrations): string[] {
  let entries: string[];
  try {
    entries = readdirSync(migrations.dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const registered = new Set(migrations.classes.map((migration) => /(\d{13})$/.exec(migration.name)?.[1]));
  return entries
    .filter((file) => {
      const timestamp = MIGRATION_FILE.exec(file)?.[1];
      return timestamp !== undefined && !registered.has(timestamp);
    })
    .sort()
    .map((file) => relative(process.cwd(), join(migrations.dir, file)));
}

/**
 * Every feature's migration classes, in list order, after checking each folder holds no unregistered file;
 * throws {@link MigrationNotRegisteredError} naming every such file at once.
 */
export function collectMigrations(all: ReadonlyArray<FeatureMigrations>): MigrationClass[] {
  const unregistered = all.flatMap(unregisteredMigrationFiles);
  if (unregistered.length > 0) throw new MigrationNotRegisteredError(unregistered);
  return all.flatMap((migrations) => migrations.classes);
}
