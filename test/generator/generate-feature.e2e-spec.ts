import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** What a clone holds that the generator and a build need (node_modules is linked, not copied). */
const PROJECT_FILES = [
  'src',
  'test',
  'tools',
  'scripts',
  'charts',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'jest.config.js',
  'nest-cli.json',
  '.env.example',
  '.spectral.yaml',
  'eslint.config.mjs',
  '.prettierrc.json',
  '.prettierignore',
  '.dependency-cruiser.cjs',
].filter((file) => existsSync(join(ROOT, file)));
/**
 * The suites that depend on the whole project (every route, every migration, every tag, every variable):
 * a generated feature must leave them green, not only its own tests.
 */
/** A long name: the templates' lines grow with it, and the output must still pass Prettier's 140 columns. */
const FEATURE = 'customer-purchase-order-line-items';
const FEATURE_CAMEL = 'customerPurchaseOrderLineItems';

const WHOLE_PROJECT_SUITES = [
  'test/process/startup',
  'test/contract',
  'test/openapi',
  'test/health',
  'test/chart/config-schema',
  'src/config',
];

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

  it('generates a feature that owns its room, touches only src/features.ts outside it, and leaves the whole-project suites green', () => {
    const started = Date.now();
    const before = listFiles(copy);
    const generated = execFileSync(process.execPath, ['scripts/generate-feature.js', FEATURE, '--with-readiness'], {
      cwd: copy,
      encoding: 'utf8',
    });
    for (const file of ['module', 'feature', 'config', 'migrations', 'readiness', 'constants'])
      expect(generated).toContain(`src/${FEATURE}/${FEATURE}.${file}.ts`);
    expect(readFileSync(join(copy, 'src', 'features.ts'), 'utf8')).toMatch(
      new RegExp(`FEATURES = \\[[^\\]]*${FEATURE_CAMEL}Feature,?\\s*\\]`),
    );
    // Outside src/<feature>/: one file changed (the composition list), one added (the feature's e2e test).
    const after = listFiles(copy);
    const added = [...after.keys()].filter((file) => !before.has(file) && !file.startsWith(`src/${FEATURE}/`));
    const changed = [...before.keys()].filter((file) => after.get(file) !== before.get(file));
    expect({ added, changed }).toEqual({ added: [`test/${FEATURE}.e2e-spec.ts`], changed: ['src/features.ts'] });

    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'], { cwd: copy, stdio: 'pipe' });
    // The generated code passes the three checks of `npm run lint` as written: ESLint and Prettier on what the
    // generator wrote or changed, the dependency rules on the whole src/ graph it joined.
    const output = [`src/${FEATURE}`, `test/${FEATURE}.e2e-spec.ts`, 'src/features.ts'];
    const lints = [
      ['node_modules/eslint/bin/eslint.js', '--max-warnings', '0', ...output],
      ['node_modules/prettier/bin/prettier.cjs', '--check', '--log-level', 'warn', ...output],
      ['node_modules/dependency-cruiser/bin/dependency-cruiser.mjs', 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'],
    ].map((args) => spawnSync(process.execPath, args, { cwd: copy, encoding: 'utf8' }));
    expect(lints.map((lint) => [lint.status, lint.status === 0 ? '' : `${lint.stdout}${lint.stderr}`])).toEqual([
      [0, ''],
      [0, ''],
      [0, ''],
    ]);

    const jest = spawnSync(
      process.execPath,
      [
        '--experimental-vm-modules',
        '--disable-warning=ExperimentalWarning',
        'node_modules/jest/bin/jest.js',
        '--verbose',
        `test/${FEATURE}.e2e-spec.ts`,
        `src/${FEATURE}`,
        ...WHOLE_PROJECT_SUITES,
      ],
      { cwd: copy, encoding: 'utf8', env: { ...process.env, TEST_DATABASE_URL: process.env['TEST_DATABASE_URL'] } },
    );
    const report = `${jest.stdout}\n${jest.stderr}`;
    if (jest.status !== 0) process.stdout.write(report);
    expect(jest.status).toBe(0);
    expect(report).toContain(`PASS test/${FEATURE}.e2e-spec.ts`);
    expect(report).toMatch(/PASS test\/process\/startup\.e2e-spec\.ts/);
    expect(report).toMatch(/PASS test\/contract\/openapi-document\.e2e-spec\.ts/);
    expect(report).toContain('is observed and documented by the platform');
    expect(report).toContain('contributes its own check to /health/ready');
    expect(report).toContain('lets one of two concurrent PATCHes with the same ETag win');
    expect(report).not.toMatch(/Tests:.*(failed|skipped)/);
    const tests = /Tests:\s+(\d+) passed/.exec(report)?.[1];
    process.stdout.write(
      `[generator] generate → typecheck → lint → build → ${tests} passing tests (feature + whole-project suites) in ${Date.now() - started} ms\n`,
    );
  }, 600_000);

  it('leaves out the readiness check without --with-readiness', () => {
    const root = mkdtempSync(join(tmpdir(), 'ballast-generator-plain-'));
    try {
      cpSync(join(ROOT, 'src', 'features.ts'), join(root, 'src', 'features.ts'));
      execFileSync(process.execPath, ['scripts/generate-feature.js', 'invoices', `--root=${root}`], { cwd: ROOT, encoding: 'utf8' });
      expect(existsSync(join(root, 'src', 'invoices', 'invoices.readiness.ts'))).toBe(false);
      expect(readFileSync(join(root, 'src', 'invoices', 'invoices.module.ts'), 'utf8')).not.toMatch(/Readiness|@with-readiness/);
      expect(readFileSync(join(root, 'test', 'invoices.e2e-spec.ts'), 'utf8')).not.toMatch(/health\/ready|@with-readiness/);
      expect(readFileSync(join(root, 'src', 'invoices', 'invoices.migrations.ts'), 'utf8')).toMatch(
        /defineMigrations\(__dirname, \[CreateInvoices\d{13}\]\)/,
      );
      const unknown = spawnSync(process.execPath, ['scripts/generate-feature.js', 'notes', '--with-readyness', `--root=${root}`], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      expect([unknown.status, unknown.stderr]).toEqual([1, expect.stringContaining('unknown option --with-readyness')]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('writes "an" before a vowel sound, "a" before a consonant sound, and the singular of irregular plurals', () => {
    const cases: Array<[string, string, string]> = [
      ['orders', 'order', 'An order'],
      ['items', 'item', 'An item'],
      ['umbrellas', 'umbrella', 'An umbrella'],
      ['hours', 'hour', 'An hour'],
      ['users', 'user', 'A user'],
      ['unit-tests', 'unit-test', 'A unit test'],
      ['purchase-orders', 'purchase-order', 'A purchase order'],
      ['categories', 'category', 'A category'],
      ['addresses', 'address', 'An address'],
      ['shipping-addresses', 'shipping-address', 'A shipping address'],
    ];
    const generated = cases.map(([plural, singular]) => {
      // A bare root per name: the generator needs only the file it registers the feature in.
      const root = mkdtempSync(join(tmpdir(), 'ballast-generator-article-'));
      try {
        cpSync(join(ROOT, 'src', 'features.ts'), join(root, 'src', 'features.ts'));
        execFileSync(process.execPath, ['scripts/generate-feature.js', plural, `--root=${root}`], { cwd: ROOT, encoding: 'utf8' });
        const summary = readFileSync(join(root, 'src', plural, `${plural}.controller.ts`), 'utf8').match(
          /summary: 'Create (an? [\w ]+)'/,
        )?.[1];
        const entity = readFileSync(join(root, 'src', plural, `${singular}.entity.ts`), 'utf8').match(/\/\*\* (An? [\w ]+)\./)?.[1];
        return [plural, singular, entity, summary && summary[0].toUpperCase() + summary.slice(1)];
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
    expect(generated).toEqual(cases.map((c) => [...c, c[2]]));
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

/** Every file under `dir` (node_modules and build output aside) with its content, by relative path. */
function listFiles(dir: string, prefix = ''): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (['node_modules', 'dist', '.data', 'coverage'].includes(entry.name)) continue;
    if (entry.isDirectory()) for (const [file, text] of listFiles(dir, path)) files.set(file, text);
    else files.set(path, readFileSync(join(dir, path), 'utf8'));
  }
  return files;
}
