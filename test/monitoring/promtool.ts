import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where promtool is looked for: `$PROMTOOL_BINARY`, then PATH, then Debian's location. */
export function findPromtool(): string {
  const override = process.env['PROMTOOL_BINARY'];
  if (override) return override;
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean), '/usr/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'promtool');
    if (existsSync(candidate)) return candidate;
  }
  // No silent skip: the alert and dashboard checks are part of `npm test`.
  throw new Error(
    'promtool not found (PATH, /usr/bin, $PROMTOOL_BINARY): the alert-rule and dashboard checks need a real Prometheus. ' +
      'Install Debian\'s "prometheus" package (`apt-get install -y --no-install-recommends prometheus`, as .ci/run does) or set PROMTOOL_BINARY.',
  );
}

/** What one promtool run printed and how it ended. */
export interface PromtoolResult {
  status: number | null;
  output: string;
}

/** Runs promtool in `cwd` (test files name their rule files relative to themselves). */
export function runPromtool(promtool: string, args: readonly string[], cwd: string): PromtoolResult {
  const run = spawnSync(promtool, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
