#!/usr/bin/env node
/**
 * Stamps dist/build-info.json after compiling (`npm run build`, the Dockerfile): the package version, the git
 * commit (GIT_COMMIT when set — a container build has no .git — else `git rev-parse HEAD`, else "unknown") and
 * the build time. GET /info reads it (src/platform/management/build-info.ts).
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dist = process.argv[2] ? path.resolve(process.argv[2]) : path.join(root, 'dist');

function gitCommit() {
  if (process.env.GIT_COMMIT && process.env.GIT_COMMIT.trim() !== '') return process.env.GIT_COMMIT.trim();
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'unknown'
    );
  } catch {
    return 'unknown';
  }
}

const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
fs.mkdirSync(dist, { recursive: true });
fs.writeFileSync(
  path.join(dist, 'build-info.json'),
  `${JSON.stringify({ version, commit: gitCommit(), builtAt: new Date().toISOString() }, null, 2)}\n`,
);
