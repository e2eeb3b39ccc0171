import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** What a clone holds that the generator and a build need (node_modules is linked, not copied). */
const PROJECT_FILES = ['src', 'test', 'tools', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'jest.config.js', 'nest-cli.json', '.env.example'];

describe('npm run generate:feature (into a temporary copy of the project)', () => {
  let copy: string;

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'ballast-generator-'));
    for (const file of PROJECT_FILES) cpSync(join(ROOT, file), join(copy, file), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  });
  afterAll(() => {
    rmSync(copy, { recursive: true, force: true });
  });

  it('generates a feature that compiles, registers itself, and passes its own unit and e2e tests against real PostgreSQL', () => {
    const started = Date.now();
    const generated = execFileSync(process.execPath, ['scripts/generate-feature.js', 'purchase-orders'], { cwd: copy, encoding: 'utf8' });
    expect(generated).toContain('src/purchase-orders/purchase-orders.module.ts');
    expect(readFileSync(join(copy, 'src', 'app.module.ts'), 'utf8')).toMatch(/FEATURE_MODULES = \[[^\]]*PurchaseOrdersModule\]/);
    expect(readFileSync(join(copy, 'src', 'migrations.ts'), 'utf8')).toContain('...purchaseOrdersMigrations');

    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'], { cwd: copy, stdio: 'pipe' });

    const jest = spawnSync(
      process.execPath,
      ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning', 'node_modules/jest/bin/jest.js', '--verbose', 'test/purchase-orders.e2e-spec.ts', 'src/purchase-orders'],
      { cwd: copy, encoding: 'utf8', env: { ...process.env, TEST_DATABASE_URL: process.env['TEST_DATABASE_URL'] } },
    );
    const output = `${jest.stdout}\n${jest.stderr}`;
    if (jest.status !== 0) process.stdout.write(output);
    expect(jest.status).toBe(0);
    expect(output).toMatch(/Tests:\s+6 passed, 6 total/);
    expect(output).toContain('is observed and documented by the platform');
    process.stdout.write(`[generator] generate → typecheck → build → 5 passing tests in ${Date.now() - started} ms\n`);
  }, 240_000);

  it('writes "an" before a vowel sound and "a" before a consonant sound in the generated comments', () => {
    const cases: Array<[string, string]> = [
      ['orders', 'An order'],
      ['items', 'An item'],
      ['umbrellas', 'An umbrella'],
      ['hours', 'An hour'],
      ['users', 'A user'],
      ['unit-tests', 'A unit test'],
      ['purchase-orders', 'A purchase order'],
    ];
    const generated = cases.map(([plural]) => {
      // A bare root per name: the generator needs only the two files it registers the feature in.
      const root = mkdtempSync(join(tmpdir(), 'ballast-generator-article-'));
      try {
        for (const file of ['src/app.module.ts', 'src/migrations.ts']) cpSync(join(ROOT, file), join(root, file), { recursive: true });
        execFileSync(process.execPath, ['scripts/generate-feature.js', plural, `--root=${root}`], { cwd: ROOT, encoding: 'utf8' });
        const singular = plural.replace(/s$/, '');
        return [plural, readFileSync(join(root, 'src', plural, `${singular}.entity.ts`), 'utf8').match(/\/\*\* (An? [\w ]+)\./)?.[1]];
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
    expect(generated).toEqual(cases);
  });

  it('refuses a name that is not plural kebab-case, or a feature that exists', () => {
    const bad = spawnSync(process.execPath, ['scripts/generate-feature.js', 'Bad_Name'], { cwd: copy, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('usage:');
    const existing = spawnSync(process.execPath, ['scripts/generate-feature.js', 'users'], { cwd: copy, encoding: 'utf8' });
    expect(existing.status).toBe(1);
    expect(existing.stderr).toContain('src/users already exists');
  });
});
