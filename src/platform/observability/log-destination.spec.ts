import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createLogDestination, LOG_EXIT_FLUSH_TIMEOUT_MS, LOG_FLUSH_INTERVAL_MS } from './log-destination';

/** Runs `script` in a child Node process with the compiled destination in `dest`; resolves with its stdout lines as they arrive. */
function child(script: string): {
  lines: Array<{ at: number; line: string }>;
  exited: Promise<void>;
  processExited: Promise<void>;
  proc: ReturnType<typeof spawn>;
} {
  const modulePath = join(__dirname, '..', '..', '..', 'dist', 'platform', 'observability', 'log-destination.js');
  const proc = spawn(
    process.execPath,
    [
      '-e',
      `const pino = require('pino'); const dest = require(${JSON.stringify(modulePath)}).createLogDestination('production', false); const log = pino(dest); ${script}`,
    ],
    {
      cwd: join(__dirname, '..', '..', '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const started = performance.now();
  const lines: Array<{ at: number; line: string }> = [];
  let partial = ''; // a pipe read may end mid-line
  proc.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts.filter(Boolean)) lines.push({ at: performance.now() - started, line });
  });
  return {
    lines,
    proc,
    // 'close': every byte read; 'exit': the process ended (a paused or destroyed stdout never closes by itself).
    exited: new Promise((resolve) => proc.on('close', () => resolve())),
    processExited: new Promise((resolve) => proc.on('exit', () => resolve())),
  };
}

describe(createLogDestination.name, () => {
  it('writes JSON to stdout outside development, even on a terminal', () => {
    expect(createLogDestination('production', true).constructor.name).toBe('SonicBoom');
    expect(createLogDestination('test', true).constructor.name).toBe('SonicBoom');
  });

  it('writes JSON in development when stdout is not a terminal (a pipe, a container log)', () => {
    expect(createLogDestination('development', false).constructor.name).toBe('SonicBoom');
  });

  it('pretty-prints in development on a terminal', () => {
    expect(createLogDestination('development', true).constructor.name).not.toBe('SonicBoom');
  });

  it('batches lines, yet writes a lone line in a quiet time within the flush interval', async () => {
    // One line, then the process stays alive (without logging) for 1.5 s.
    const run = child(`log.info('lone'); setTimeout(() => log.info('late'), 1500);`);
    await run.exited;
    const lone = run.lines.find((l) => l.line.includes('"lone"'));
    const late = run.lines.find((l) => l.line.includes('"late"'));
    expect(lone).toBeDefined();
    // Written long before the next line or the exit: by the periodic flush, not the process ending.
    expect((late?.at ?? 0) - (lone?.at ?? Infinity)).toBeGreaterThan(1000);
    expect(LOG_FLUSH_INTERVAL_MS).toBeLessThanOrEqual(1000);
  });

  it('loses no queued line when the process exits at once', async () => {
    const run = child(`for (let i = 0; i < 1000; i++) log.info({ i }, 'queued'); process.exit(0);`);
    await run.exited;
    const numbers = run.lines.map((l) => (JSON.parse(l.line) as { i: number }).i);
    expect(numbers).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  /** Milliseconds until `run` exits; SIGKILL (and a failing bound) after `boundMs`. */
  async function exitTime(run: ReturnType<typeof child>, boundMs: number): Promise<number> {
    const started = performance.now();
    const timer = setTimeout(() => run.proc.kill('SIGKILL'), boundMs);
    await run.processExited;
    clearTimeout(timer);
    expect({ code: run.proc.exitCode, signal: run.proc.signalCode }).toEqual({ code: 0, signal: null });
    return performance.now() - started;
  }

  it('exits at once when the reader of stdout is gone and the exit flush is the first write to notice', async () => {
    // Queued lines (under the batch size, inside the flush interval) meet a broken pipe only in the exit flush.
    const run = child(`setTimeout(() => { log.info('queued'); process.exit(0); }, 500);`);
    run.proc.stdout?.destroy();
    expect(await exitTime(run, 5000)).toBeLessThan(5000);
  });

  it('exits within LOG_EXIT_FLUSH_TIMEOUT_MS when stdout is a full pipe (reader alive, not reading)', async () => {
    const run = child(`setTimeout(() => { for (let i = 0; i < 20000; i++) log.info({ i }, 'x'.repeat(100)); process.exit(0); }, 300);`);
    run.proc.stdout?.pause();
    expect(await exitTime(run, LOG_EXIT_FLUSH_TIMEOUT_MS + 4000)).toBeLessThan(LOG_EXIT_FLUSH_TIMEOUT_MS + 4000);
    run.proc.stdout?.destroy();
  });

  it('exits at once when stdout is a shell pipe whose reader exited (`| tee` killed by Ctrl+C), however the exit is reached', async () => {
    // A real pipe(2) from the shell, as in `npm start | tee run.log` (the test's own stdio pipes are socket pairs).
    const modulePath = join(__dirname, '..', '..', '..', 'dist', 'platform', 'observability', 'log-destination.js');
    const script = `const pino = require('pino'); const log = pino(require(${JSON.stringify(modulePath)}).createLogDestination('production', false)); process.stderr.write('pid ' + process.pid + '\\n'); setTimeout(() => { log.info('queued'); process.exit(0); }, 300);`;
    const shell = spawn('sh', ['-c', '"$NODE" -e "$SCRIPT" | true; echo done'], {
      cwd: join(__dirname, '..', '..', '..'),
      env: { ...process.env, NODE: process.execPath, SCRIPT: script },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    shell.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    shell.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    // Past the bound the node process (which sh waits for) is killed by the pid it reported.
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      const pid = Number(/pid (\d+)/.exec(err)?.[1]);
      if (pid > 0) process.kill(pid, 'SIGKILL');
    }, 5000);
    await new Promise((resolve) => shell.on('close', resolve));
    clearTimeout(timer);
    expect({ hung, out: out.trim() }).toEqual({ hung: false, out: 'done' });
  });
});
