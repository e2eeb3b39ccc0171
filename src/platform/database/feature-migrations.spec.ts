import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { collectMigrations, defineMigrations, MigrationNotRegisteredError, unregisteredMigrationFiles } from './feature-migrations';

class CreateOrders1764000000001 {}
class AddTotal1764000000002 {}

describe('feature migrations: every file on disk is registered', () => {
  let featureDir: string;
  beforeEach(() => {
    featureDir = mkdtempSync(join(tmpdir(), 'ballast-migrations-'));
    mkdirSync(join(featureDir, 'migrations'));
    for (const file of [
      '1764000000001-create-orders.ts',
      '1764000000001-create-orders.d.ts',
      '1764000000001-create-orders.js.map',
      'README.md',
    ]) {
      writeFileSync(join(featureDir, 'migrations', file), '');
    }
  });
  afterEach(() => rmSync(featureDir, { recursive: true, force: true }));

  it('accepts a folder whose every timestamped file has its class registered (declarations, maps and other files aside)', () => {
    const migrations = defineMigrations(featureDir, [CreateOrders1764000000001]);
    expect(migrations.dir).toBe(join(featureDir, 'migrations'));
    expect(unregisteredMigrationFiles(migrations)).toEqual([]);
    expect(collectMigrations([migrations])).toEqual([CreateOrders1764000000001]);
  });

  it('names every unregistered file, and the fix, in one error', () => {
    writeFileSync(join(featureDir, 'migrations', '1764000000002-add-total.ts'), '');
    writeFileSync(join(featureDir, 'migrations', '1764000000003-add-note.js'), '');
    const migrations = defineMigrations(featureDir, [CreateOrders1764000000001]);
    const files = ['1764000000002-add-total.ts', '1764000000003-add-note.js'].map((f) =>
      relative(process.cwd(), join(featureDir, 'migrations', f)),
    );
    expect(() => collectMigrations([migrations])).toThrow(MigrationNotRegisteredError);
    try {
      collectMigrations([migrations]);
    } catch (error) {
      expect((error as MigrationNotRegisteredError).files).toEqual(files);
      expect((error as Error).message).toContain("Add each file's class to the list in the feature's <feature>.migrations.ts");
    }
    expect(
      collectMigrations([defineMigrations(featureDir, [CreateOrders1764000000001, AddTotal1764000000002, class AddNote1764000000003 {}])]),
    ).toHaveLength(3);
  });

  it('treats a feature without a migrations folder as having none', () => {
    expect(collectMigrations([defineMigrations(join(featureDir, 'nowhere'), [])])).toEqual([]);
  });
});
