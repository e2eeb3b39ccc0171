import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../src/platform/database/free-port';
import { authDefaults } from './auth-defaults';
import { waitUntil } from './wait-until';

export { freePort };

/** The built entry point; jest global-setup builds it once per run. */
export const MAIN_JS = join(__dirname, '..', '..', 'dist', 'main.js');

/** A real `node dist/main.js` process. */
export interface AppProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  /** Polls `path` until it answers `status`; rejects after `timeoutMs`. */
  waitFor(path: string, status?: number, timeoutMs?: number): Promise<number>;
  /**
   * Milliseconds until the output contains `pattern`; rejects after `timeoutMs`. Log lines are written in
   * batches (at the latest 200 ms after they were logged), so a running process's output is read this way.
   */
  waitForOutput(pattern: string | RegExp, timeoutMs?: number): Promise<number>;
  /** Sends a signal and waits for exit (SIGKILL after `timeoutMs`). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
}

/**
 * Node flags for a child whose heap a test measures: SIGUSR2 runs a full garbage collection, so `heapAfterGc`
 * reads what is retained, not what the collector has not got to yet (a young-generation sweep can leave
 * tens of MiB of garbage on a busy process).
 */
export const GC_ON_SIGUSR2 = ['--expose-gc', "--import=data:text/javascript,process.on('SIGUSR2',()=>globalThis.gc())"];

/** V8 heap in use (bytes), from the process' own Prometheus default metrics. */
export async function heapUsedBytes(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const match = /^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(text);
  if (!match) throw new Error('nodejs_heap_size_used_bytes missing from /metrics');
  return Number(match[1]);
}

/** Heap used (bytes) after a full collection; the child must run with GC_ON_SIGUSR2. */
export async function heapAfterGc(app: AppProcess): Promise<number> {
  app.child.kill('SIGUSR2');
  await new Promise((r) => setTimeout(r, 300));
  return heapUsedBytes(app.baseUrl);
}

/**
 * Starts the built service with `env` on top of a minimal environment (the test's own variables are not
 * inherited, so a developer's shell cannot change the outcome). PORT is free unless given.
 */
const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((running) => running.kill('SIGKILL')));

function killAtExit(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

export async function startAppProcess(
  env: Record<string, string>,
  options: { mainJs?: string; execArgv?: string[] } = {},
): Promise<AppProcess> {
  const port = env['PORT'] ? Number(env['PORT']) : await freePort();
  const child = spawn(process.execPath, [...(options.execArgv ?? []), options.mainJs ?? MAIN_JS], {
    // High rate limits unless the test sets them: every test client is 127.0.0.1.
    env: {
      PATH: process.env['PATH'] ?? '',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      RATE_LIMIT_PER_SECOND: '100000',
      RATE_LIMIT_BURST: '100000',
      ...authDefaults(env),
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A test that fails before its afterAll stops the child must not keep jest alive, nor leave the child running.
  child.unref();
  (child.stdout as Socket | null)?.unref();
  (child.stderr as Socket | null)?.unref();
  killAtExit(child);
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    child,
    port,
    baseUrl,
    output: () => out,
    exited,
    waitForOutput(pattern, timeoutMs = 5000) {
      const found = () => (typeof pattern === 'string' ? out.includes(pattern) : pattern.test(out));
      return waitUntil(found, { timeoutMs, intervalMs: 20, what: () => `${String(pattern)} in the output:\n${out}` });
    },
    waitFor(path, status = 200, timeoutMs = 30_000) {
      return waitUntil(
        async () => {
          if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}:\n${out}`);
          const res = await fetch(baseUrl + path, { signal: AbortSignal.timeout(2000) }).catch(() => undefined); // not listening yet
          await res?.arrayBuffer();
          return res?.status === status;
        },
        { timeoutMs, what: () => `${path} answering ${status}:\n${out}` },
      );
    },
    async stop(signal = 'SIGTERM', timeoutMs = 20_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
