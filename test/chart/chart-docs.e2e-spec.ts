import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART_DIR } from './utils/helm';

const valuesText = readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8');
const values = parse(valuesText) as Record<string, unknown>;
const params = [...valuesText.matchAll(/^\s*## @param (\S+) \S/gm)].map((match) => match[1]);

/** Paths of the values that hold a scalar, a list or an empty map (the ones a user sets). */
function leafPaths(node: unknown, prefix = ''): string[] {
  if (typeof node !== 'object' || node === null || Array.isArray(node) || Object.keys(node).length === 0) return [prefix];
  return Object.entries(node).flatMap(([key, child]) => leafPaths(child, prefix ? `${prefix}.${key}` : key));
}

function valueAt(path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], values);
}

describe('charts/ballast documentation', () => {
  it('documents every value in values.yaml with `## @param` (itself or an enclosing object)', () => {
    const documented = new Set(params);
    const undocumented = leafPaths(values).filter((path) => {
      const parts = path.split('.');
      return !parts.some((_part, index) => documented.has(parts.slice(0, index + 1).join('.')));
    });
    expect(undocumented).toEqual([]);
  });

  it('has an `## @param` only for values that exist, each once', () => {
    expect(params.filter((path) => valueAt(path) === undefined)).toEqual([]);
    expect(params.filter((path, index) => params.indexOf(path) !== index)).toEqual([]);
  });

  it('lists every parameter in the chart README', () => {
    const readme = readFileSync(join(CHART_DIR, 'README.md'), 'utf8');
    expect(params.filter((path) => !readme.includes(`| \`${path}\` |`))).toEqual([]);
  });

  it('lists in the chart README every app variable values.schema.json accepts under config', () => {
    const readme = readFileSync(join(CHART_DIR, 'README.md'), 'utf8');
    const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as {
      properties: { config: { properties: Record<string, { description?: string }> } };
    };
    const accepted = Object.entries(schema.properties.config.properties)
      .filter(([, property]) => !property.description?.startsWith('Set by the chart'))
      .map(([name]) => name);
    expect(accepted.length).toBeGreaterThan(40);
    expect(accepted.filter((name) => !readme.includes(`| \`config.${name}\` |`))).toEqual([]);
  });
});
