import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import { ALL_FEATURES_VALUES, DEFAULT_VALUES, findObject, renderChart } from './utils/helm';
import { ensureHelm } from './utils/helm-binary';

/*
 * No container engine runs in the test environment, so the image is checked where it meets the chart:
 * the user it runs as, the files the chart's commands need, and what it must not contain.
 */

const ROOT = resolve(__dirname, '../..');
const FETCH_TIMEOUT_MS = 300_000;

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions per stage (continuations joined, comments dropped), keyed by stage name. */
function readStages(): Map<string, Instruction[]> {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages = new Map<string, Instruction[]>([['(global)', []]]);
  let current = stages.get('(global)')!;
  for (const line of lines) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === 'FROM') {
      current = [];
      stages.set(/\bAS\s+(\S+)$/i.exec(args)?.[1] ?? `stage${stages.size}`, current);
    }
    current.push(instruction);
  }
  return stages;
}

const stages = readStages();
const finalStage = [...stages.values()].at(-1)!;
const argsOf = (instructions: readonly Instruction[], keyword: string): string[] =>
  instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);

let deployment: IDeployment;
let job: IJob;

beforeAll(async () => {
  const helm = await ensureHelm();
  deployment = findObject<IDeployment>(renderChart(helm, { files: [DEFAULT_VALUES] }), 'Deployment');
  job = findObject<IJob>(renderChart(helm, { files: [ALL_FEATURES_VALUES] }), 'Job');
}, FETCH_TIMEOUT_MS);

describe('Dockerfile', () => {
  it('builds from a Node 24 image in every stage', () => {
    expect(argsOf(stages.get('(global)')!, 'ARG')).toContain('NODE_IMAGE=node:24-bookworm-slim');
    const bases = [...stages.values()].flatMap((instructions) => argsOf(instructions, 'FROM'));
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const base of bases) expect(base).toMatch(/^\$\{NODE_IMAGE\} AS \w+$/);
  });

  it("runs as the chart's non-root runAsUser and runAsGroup", () => {
    const [user] = argsOf(finalStage, 'USER');
    const pod = deployment.spec!.template.spec!;
    const container = pod.containers[0];
    expect(user).toBe(`${pod.securityContext!.runAsUser}:${pod.securityContext!.runAsGroup}`);
    expect(user).toBe(`${container.securityContext!.runAsUser}:${container.securityContext!.runAsGroup}`);
    expect(container.securityContext!.runAsUser).not.toBe(0);
    const run = argsOf(finalStage, 'RUN').join('\n');
    expect(run).toContain(`groupadd --system --gid ${pod.securityContext!.runAsGroup} `);
    expect(run).toContain(`useradd --system --uid ${pod.securityContext!.runAsUser} --gid ${pod.securityContext!.runAsGroup} `);
  });

  it('starts `node dist/main.js` in production mode, with no HEALTHCHECK (the chart probes)', () => {
    expect(argsOf(finalStage, 'CMD')).toEqual(['["node", "dist/main.js"]']);
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['start:prod']).toBe('node dist/main.js');
    expect(argsOf(finalStage, 'ENV').join(' ')).toMatch(/\bNODE_ENV=production\b/);
    expect([...stages.values()].flatMap((instructions) => argsOf(instructions, 'HEALTHCHECK'))).toEqual([]);
    // The app port and the management port, as the chart's container declares them.
    expect(argsOf(finalStage, 'EXPOSE')).toEqual(
      deployment.spec!.template.spec!.containers[0].ports!.map((port) => String(port.containerPort)),
    );
  });

  it('ships only dist/, production node_modules and package.json: no sources, no dev dependencies', () => {
    expect(argsOf(finalStage, 'COPY')).toEqual([
      '--from=deps /app/node_modules ./node_modules',
      '--from=build /app/dist ./dist',
      'package.json ./',
    ]);
    expect(argsOf(stages.get('deps')!, 'RUN').join('\n')).toMatch(/npm ci --omit=dev\b/);
    expect(argsOf(stages.get('build')!, 'RUN').join('\n')).toContain('tsc -p tsconfig.build.json');
  });

  it('contains what the migration Job runs: the TypeORM CLI (a runtime dependency) and dist/data-source.js', () => {
    const command = job.spec!.template.spec!.containers[0].command!;
    expect(command.slice(0, 2)).toEqual(['node', 'node_modules/typeorm/cli.js']);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['typeorm']).toBeDefined();
    expect(command.at(-1)).toBe('dist/data-source.js');
    expect(existsSync(join(ROOT, 'src/data-source.ts'))).toBe(true);
  });

  it('keeps local state, secrets and build output out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split(/\r?\n/);
    for (const entry of ['node_modules', 'dist', '.data', '.env', '.git', '.cache']) expect(ignored).toContain(entry);
  });
});
