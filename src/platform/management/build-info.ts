import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the build stamped: scripts/build-info.js writes it to dist/build-info.json after compiling. */
export interface BuildInfo {
  version: string;
  /** The git commit built from; 'unknown' outside a git checkout without GIT_COMMIT. */
  commit: string;
  /** ISO time of the build; 'unknown' when the file is missing. */
  builtAt: string;
}

/** dist/build-info.json, next to dist/main.js (this file is dist/platform/management/build-info.js). */
export const BUILD_INFO_FILE = join(__dirname, '..', '..', 'build-info.json');

/**
 * The stamped build information; without the file (a build that skipped the stamp, ts-node), the version
 * given and the commit from `git rev-parse` when a checkout is at hand, else 'unknown'.
 */
export function readBuildInfo(version: string, file = BUILD_INFO_FILE): BuildInfo {
  try {
    const stamped = JSON.parse(readFileSync(file, 'utf8')) as Partial<BuildInfo>;
    return { version: stamped.version ?? version, commit: stamped.commit ?? 'unknown', builtAt: stamped.builtAt ?? 'unknown' };
  } catch {
    return { version, commit: gitCommit(), builtAt: 'unknown' };
  }
}

function gitCommit(): string {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).trim() ||
      'unknown'
    );
  } catch {
    return 'unknown';
  }
}
