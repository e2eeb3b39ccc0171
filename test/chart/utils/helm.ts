import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { HELM_CACHE_DIR } from './helm-binary';

/** The chart under test. */
export const CHART_DIR = resolve(__dirname, '../../../charts/ballast');
/** Value sets kept with the chart: the defaults plus the required database, and every feature on. */
export const DEFAULT_VALUES = join(CHART_DIR, 'ci/default-values.yaml');
export const ALL_FEATURES_VALUES = join(CHART_DIR, 'ci/all-features-values.yaml');
/** Release and namespace the tests render with (the full name is `<release>-ballast`). */
export const RELEASE = 'prod';
export const NAMESPACE = 'apps';

/** A rendered Kubernetes object, before any schema check. */
export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** What one helm run printed and how it ended. */
export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Values for one render: files applied in order, then an object (as `-f` of a temporary file). */
export interface RenderOptions {
  files?: readonly string[];
  values?: Record<string, unknown>;
}

/** Helm's own config, cache and data folders stay inside the cache, so a user's repos and plugins never interfere. */
const HELM_HOME = join(HELM_CACHE_DIR, '..', 'home');

/** Runs helm with the given arguments; never throws on a non-zero exit. */
export function runHelm(helm: string, args: readonly string[]): HelmResult {
  mkdirSync(HELM_HOME, { recursive: true });
  const result = spawnSync(helm, args, {
    encoding: 'utf8',
    env: {
      PATH: process.env['PATH'] ?? '',
      HELM_CONFIG_HOME: join(HELM_HOME, 'config'),
      HELM_CACHE_HOME: join(HELM_HOME, 'cache'),
      HELM_DATA_HOME: join(HELM_HOME, 'data'),
    },
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `helm <command> <chart> <value flags> <extra>`, writing `options.values` to a temporary file. */
export function runHelmWithValues(helm: string, command: readonly string[], options: RenderOptions = {}): HelmResult {
  const dir = mkdtempSync(join(tmpdir(), 'ballast-chart-'));
  try {
    const flags = (options.files ?? []).flatMap((file) => ['-f', file]);
    if (options.values) {
      const file = join(dir, 'values.json'); // JSON is YAML
      writeFileSync(file, JSON.stringify(options.values));
      flags.push('-f', file);
    }
    return runHelm(helm, [...command, ...flags]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm template` of the chart; returns the result as it is, for tests that expect a refusal. */
export function helmTemplate(helm: string, options: RenderOptions = {}): HelmResult {
  return runHelmWithValues(helm, ['template', RELEASE, CHART_DIR, '--namespace', NAMESPACE], options);
}

/** `helm template` of the chart, parsed into objects; throws with Helm's message when the render fails. */
export function renderChart(helm: string, options: RenderOptions = {}): RenderedObject[] {
  const result = helmTemplate(helm, options);
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return parseManifests(result.stdout);
}

/** Parses a multi-document YAML stream, dropping empty documents; throws on YAML errors. */
export function parseManifests(stream: string): RenderedObject[] {
  return parseAllDocuments(stream)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`invalid YAML: ${document.errors.join('; ')}`);
      return document.toJS() as RenderedObject | null;
    })
    .filter((object): object is RenderedObject => object !== null);
}

/** The one rendered object of a kind (and name); throws when there is none or more than one. */
export function findObject<T>(objects: readonly RenderedObject[], kind: string, name?: string): T {
  const found = objects.filter((object) => object.kind === kind && (name === undefined || object.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  // The caller names the model type; the schema tests prove the rendered objects have that shape.
  return found[0] as unknown as T;
}
