import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What {@link releaseDataDir} found in the data folder and did about it, for the start-up log. */
export type LeftoverOutcome = { kind: 'none' } | { kind: 'stale-pid-file'; pid: number } | { kind: 'stopped'; pid: number; ms: number };

/** A PostgreSQL that another live process started holds the folder: stopping it would pull its database away. */
export class EmbeddedPostgresInUseError extends Error {
  constructor(dataDir: string, pid: number, ownerPid: number) {
    super(
      `the embedded PostgreSQL data folder ${dataDir} is in use by PostgreSQL pid ${pid}, started by process ${ownerPid}, ` +
        'which is still running (another `npm start`?): stop that process, or set EMBEDDED_POSTGRES_DIR to another folder, or DATABASE_URL.',
    );
  }
}

const STOP_WAIT_MS = 15_000;

/** Whether a process with this id exists (also one of another user). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user (as non-root, a postgres of the `postgres` user).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function parentOf(pid: number): number | undefined {
  try {
    // Field 4 of /proc/<pid>/stat, after the command name in parentheses (which may itself hold spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * Frees `dataDir` of what a killed run left: the embedded server goes on running when its Node parent dies by
 * SIGKILL or an unhandled SIGHUP, and holds the folder (and its port) until stopped. A server whose parent is no
 * longer a Node process is stopped (fast shutdown, then immediate); a `postmaster.pid` naming no running
 * PostgreSQL is removed. A server whose parent is a live Node process belongs to another run: that is an error.
 * Stopping and starting again, rather than connecting to the leftover server, keeps one owner for the server.
 */
export async function releaseDataDir(dataDir: string): Promise<LeftoverOutcome> {
  const pidFile = join(dataDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  } catch {
    return { kind: 'none' };
  }
  if (!Number.isInteger(pid) || pid <= 0 || !processExists(pid) || !/postgres/.test(commandOf(pid))) {
    rmSync(pidFile, { force: true });
    return { kind: 'stale-pid-file', pid };
  }
  const owner = parentOf(pid);
  if (owner !== undefined && owner !== 1 && owner !== process.pid && /\bnode\b|main\.js/.test(commandOf(owner))) {
    throw new EmbeddedPostgresInUseError(dataDir, pid, owner);
  }
  const started = Date.now();
  process.kill(pid, 'SIGINT');
  for (let waited = 0; processExists(pid); waited += 50) {
    // Immediate shutdown when a fast one takes too long (crash recovery runs at the next start).
    if (waited === STOP_WAIT_MS) process.kill(pid, 'SIGQUIT');
    if (waited >= 2 * STOP_WAIT_MS) throw new Error(`the leftover embedded PostgreSQL (pid ${pid}) in ${dataDir} did not stop: kill it`);
    await sleep(50);
  }
  return { kind: 'stopped', pid, ms: Date.now() - started };
}
