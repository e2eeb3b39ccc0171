#!/usr/bin/env node
// `npm run start:dev`: builds once, then keeps `tsc --watch` rebuilding dist/ and Node's own watch mode restarting
// `dist/main.js` when a built file changes. Node's watch mode stops the old process with SIGTERM, so every restart
// goes through the graceful shutdown (the embedded PostgreSQL is stopped and started again with its data kept).
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

// The watcher runs in a process group of its own: stopping start:dev signals the group, so the application it
// restarts stops too (a signal to Node's watcher alone would leave the application running).
const tscWatch = spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
});
const app = spawn(process.execPath, ['--watch-path=dist', '--env-file-if-exists=.env', 'dist/main.js'], {
  cwd: root,
  stdio: 'inherit',
  detached: true,
});
let stopping = false;
const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  tscWatch.kill(signal);
  try {
    process.kill(-app.pid, signal);
  } catch {
    // already gone
  }
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal));
for (const child of [tscWatch, app]) {
  child.on('exit', (code) => {
    if (stopping) return;
    process.exitCode = code ?? 1;
    stop('SIGTERM');
  });
}
