import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { freePort } from '../../src/platform/database/free-port';
import { benchHeaders } from './identity';

/** Whether `taskset` can pin processes to cores here. */
export const canPin = (() => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Pins the current process (the load generator) to `core`, if possible. */
export function pinSelf(core: number): void {
  if (canPin) execFileSync('taskset', ['-cp', String(core), String(process.pid)], { stdio: 'ignore' });
}

/**
 * NODE_OPTIONS of every server under test: the Helm chart's default for its 512 MiB pod (nodeOptions.
 * maxOldSpacePercent 75 → --max-old-space-size=384), so memory and GC behave as deployed rather than as V8
 * sizes its heap on a 24 GiB bench machine. BENCH_NODE_OPTIONS overrides ("" for V8's own sizing).
 */
export const SERVER_NODE_OPTIONS = process.env['BENCH_NODE_OPTIONS'] ?? '--max-old-space-size=384';

/** Pins processes (e.g. PostgreSQL backends) to `core`; returns how many could be pinned. */
export function pinPids(pids: number[], core: number): number {
  if (!canPin) return 0;
  let pinned = 0;
  for (const pid of pids) {
    try {
      execFileSync('taskset', ['-cp', String(core), String(pid)], { stdio: 'ignore' });
      pinned++;
    } catch {
      // not ours to pin (another user's server without privileges), or gone
    }
  }
  return pinned;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds (user + system) a process has used so far, from /proc (NaN where there is none): all its threads,
 * or only thread `tid` (the main thread's tid is the pid).
 */
export function cpuSeconds(pid: number | undefined, tid?: number): number {
  const path = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
  if (!pid || !existsSync(path)) return NaN;
  const stat = readFileSync(path, 'utf8');
  // Fields after the command name, which is parenthesised and may hold spaces: utime and stime are 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * CPU seconds a process's live threads have run, from the scheduler's own accounting (/proc/<pid>/task/<tid>/schedstat,
 * nanoseconds) instead of /proc/<pid>/stat's 10 ms ticks: a 3 s concurrent pair at half a core is 150 ticks, too
 * coarse for differences of a few µs per request. NaN where there is none.
 */
export function schedCpuSeconds(pid: number | undefined): number {
  const dir = `/proc/${pid}/task`;
  if (!pid || !existsSync(dir)) return NaN;
  let ns = 0;
  for (const tid of readdirSync(dir)) {
    try {
      ns += Number(readFileSync(`${dir}/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns / 1e9;
}

/** A server under test. */
export interface Target {
  name: string;
  port: number;
  child: ChildProcess;
  /** Peak resident set size so far (VmHWM), in MiB. */
  peakRssMiB(): number;
  /** Current resident set size (VmRSS), in MiB. */
  rssMiB(): number;
  /** CPU seconds used so far (all threads). */
  cpuSeconds(): number;
  /** CPU seconds the main thread (the event loop, JavaScript) used so far. */
  mainThreadCpuSeconds(): number;
  /** CPU seconds of the live threads, nanosecond resolution ({@link schedCpuSeconds}). */
  schedCpuSeconds(): number;
  stop(): Promise<void>;
}

/** A memory figure of a process from /proc, in MiB: VmHWM (peak RSS) or VmRSS (current); NaN where there is none. */
export function procStatusMiB(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number {
  const path = `/proc/${pid}/status`;
  if (!pid || !existsSync(path)) return NaN;
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(path, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/**
 * Starts `node [nodeFlags] <script>` pinned to `core` with `env`, and waits until `readyPath` answers 200.
 * `nodeFlags`: e.g. `--cpu-prof` (bench/profile.ts).
 */
export async function startTarget(
  name: string,
  script: string,
  env: Record<string, string>,
  core: number,
  readyPath: string,
  nodeFlags: string[] = [],
): Promise<Target> {
  const port = await freePort();
  const nodeArgs = [...nodeFlags, script];
  const command = canPin ? 'taskset' : process.execPath;
  const args = canPin ? ['-c', String(core), process.execPath, ...nodeArgs] : nodeArgs;
  const child = spawn(command, args, {
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', NODE_OPTIONS: SERVER_NODE_OPTIONS, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}${readyPath}`, { headers: benchHeaders(), signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${name} not ready after 60 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name,
    port,
    child,
    peakRssMiB: () => procStatusMiB(child.pid, 'VmHWM'),
    rssMiB: () => procStatusMiB(child.pid, 'VmRSS'),
    cpuSeconds: () => cpuSeconds(child.pid),
    mainThreadCpuSeconds: () => cpuSeconds(child.pid, child.pid),
    schedCpuSeconds: () => schedCpuSeconds(child.pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
