import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createLogDestination, LOG_FLUSH_INTERVAL_MS } from './log-destination';

/** Runs `script` in a child Node process with the compiled destination in `dest`; resolves with its stdout lines as they arrive. */
function child(script: string): { lines: Array<{ at: number; line: string }>; exited: Promise<void> } {
  const modulePath = join(__dirname, '..', '..', '..', 'dist', 'platform', 'observability', 'log-destination.js');
  const proc = spawn(process.execPath, ['-e', `const pino = require('pino'); const dest = require(${JSON.stringify(modulePath)}).createLogDestination('production', false); const log = pino(dest); ${script}`], {
    cwd: join(__dirname, '..', '..', '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = performance.now();
  const lines: Array<{ at: number; line: string }> = [];
  proc.stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push({ at: performance.now() - started, line });
  });
  return { lines, exited: new Promise((resolve) => proc.on('close', () => resolve())) };
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
});
