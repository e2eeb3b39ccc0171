import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';

const ROOT = join(__dirname, '..', '..');

describe('package.json', () => {
  it('names no key twice (JSON.parse would silently keep the last one)', () => {
    // JSON is YAML, and the yaml parser reports duplicate keys where JSON.parse does not.
    const document = parseDocument(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(document.errors.map((error) => error.message)).toEqual([]);
  });

  it('agrees with package-lock.json on the direct dependencies', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
    const root = lock.packages[''] ?? {};
    expect(root['dependencies']).toEqual(manifest['dependencies']);
    expect(root['devDependencies']).toEqual(manifest['devDependencies']);
  });
});
