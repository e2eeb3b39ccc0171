import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { MAIN_JS } from '../utils/app-process';
import { MINIMUM_NODE_VERSION } from '../../src/node-version-check';

/** A `node` on PATH outside node_modules (the system's), with its version; npm puts the pinned Node 24 first. */
function systemNode(): { path: string; version: string } | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '' && !dir.includes('node_modules'));
  for (const dir of [...dirs, '/usr/bin', '/usr/local/bin']) {
    const candidate = join(dir, 'node');
    if (!existsSync(candidate)) continue;
    const run = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    if (run.status === 0) return { path: candidate, version: run.stdout.trim() };
  }
  return undefined;
}

function older(version: string): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  const [c = 0, d = 0] = MINIMUM_NODE_VERSION.split('.').map(Number);
  return a < c || (a === c && b < d);
}

function expectRefusal(run: ReturnType<typeof spawnSync>, version: string): void {
  const stderr = String(run.stderr);
  expect({ status: run.status, stderr }).toEqual({
    status: 1,
    stderr: expect.stringContaining(`Ballast needs Node.js >=${MINIMUM_NODE_VERSION}`),
  });
  expect(stderr).toContain(`this is Node ${version}`);
  expect(stderr).toContain('`npm start`');
  // Refused before any dependency was loaded: no stack trace from undici or Nest.
  expect(stderr).not.toMatch(/undici|@nestjs|\n\s+at /);
}

describe('node dist/main.js on a Node older than engines.node', () => {
  const env = { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'fatal' };

  it('exits 1 at once with a message naming the Node needed, on the real older system Node when the machine has one', () => {
    const found = systemNode();
    if (found && older(found.version)) {
      const run = spawnSync(found.path, [MAIN_JS], { encoding: 'utf8', env, timeout: 20_000 });
      expectRefusal(run, found.version);
      process.stdout.write(`[node-version] ${found.path} (${found.version}): exit ${run.status}\n`);
      return;
    }
    // No older Node here: the same check, with the pinned Node pretending to be 20 before main.js loads.
    const dir = mkdtempSync(join(tmpdir(), 'ballast-node-version-'));
    try {
      const preload = join(dir, 'pretend-node-20.js');
      writeFileSync(preload, "Object.defineProperty(process.versions, 'node', { value: '20.20.2' });\n");
      const run = spawnSync(process.execPath, ['--require', preload, MAIN_JS], { encoding: 'utf8', env, timeout: 20_000 });
      expectRefusal(run, '20.20.2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
