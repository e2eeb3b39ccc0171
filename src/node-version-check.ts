/**
 * The first module main.ts loads, before anything imports undici or Nest: on an older Node they fail deep
 * inside (undici 8: "Cannot read properties of undefined (reading 'bind')"), far from the cause. No imports
 * and only old syntax here, so that this file itself runs on any Node that can still be asked for its version.
 */

/** The oldest Node this service runs on; package.json `engines.node` says the same (a spec holds them equal). */
export const MINIMUM_NODE_VERSION = '24.11.0';

function parts(version: string): number[] {
  return version
    .replace(/^v/, '')
    .split('.')
    .map((part) => parseInt(part, 10) || 0);
}

/** Why `version` (like process.versions.node) cannot run the service, or undefined when it can. */
export function nodeVersionProblem(version: string, execPath: string): string | undefined {
  const have = parts(version);
  const need = parts(MINIMUM_NODE_VERSION);
  for (let i = 0; i < need.length; i++) {
    const a = have[i] || 0;
    const b = need[i] || 0;
    if (a > b) return undefined;
    if (a < b) {
      return (
        `Ballast needs Node.js >=${MINIMUM_NODE_VERSION} (package.json "engines"); this is Node ${version} (${execPath}).\n` +
        'Run it with `npm start` (or `npm run start:prod`): npm runs the Node 24 the project pins as a devDependency\n' +
        '(node_modules/.bin/node, installed by `npm ci`). Or install Node.js 24 LTS.\n'
      );
    }
  }
  return undefined;
}

const problem = nodeVersionProblem(process.versions.node, process.execPath);
if (problem !== undefined) {
  process.stderr.write(problem);
  process.exit(1);
}
