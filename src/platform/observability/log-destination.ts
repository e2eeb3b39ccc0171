import { writeSync } from 'node:fs';
import pino, { type DestinationStream } from 'pino';
import type { AllConfig } from '../../config/app-config';

type PrettyFactory = (options: Record<string, unknown>) => DestinationStream;

/** pino-pretty is a devDependency: absent from a production install, so its absence is not an error. */
function loadPrettyPrinter(): PrettyFactory | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('pino-pretty') as PrettyFactory;
  } catch {
    return undefined;
  }
}

/** Most log bytes queued in memory while stdout cannot keep up; past it lines are dropped, not queued. @default 16 MiB */
export const LOG_BUFFER_MAX_BYTES = 16 * 1024 * 1024;

/** Lines are written out once this many bytes are queued… @default 16 KiB */
export const LOG_BATCH_MIN_BYTES = 16 * 1024;

/** Largest single write. @default 64 KiB */
export const LOG_MAX_WRITE_BYTES = 64 * 1024;

/** …or, in quiet times, after at most this long. @default 200 ms */
export const LOG_FLUSH_INTERVAL_MS = 200;

/**
 * Longest the exit flush waits for a blocked stdout (a pipe whose reader stopped reading) before it drops what is
 * still queued: the exit stays within the shutdown bounds whatever state stdout is in. @default 1000 ms
 */
export const LOG_EXIT_FLUSH_TIMEOUT_MS = 1000;

let exitFlushBudgetMs = LOG_EXIT_FLUSH_TIMEOUT_MS;
let stdoutErrorsDropped = false;

/** From now on the exit flush makes one attempt and drops what stdout does not take at once (a second signal). */
export function dropQueuedLogsAtExit(): void {
  exitFlushBudgetMs = 0;
}

/**
 * Where logs go: human-readable lines when a developer watches a terminal (NODE_ENV=development, stdout
 * is a TTY, pino-pretty installed), JSON lines on stdout otherwise — what log collectors read.
 * JSON writes are asynchronous and batched: lines go out together once 16 KiB are queued, or at the latest
 * every 200 ms (sonic-boom's `minLength` + `periodicFlush`). One request line per write cost 16 µs of CPU per
 * request in the benchmark (a write syscall through libuv's thread pool each). The queue holds Buffers
 * (sonic-boom's buffer mode): in its text mode each line re-measures the growing batch string
 * (`Buffer.byteLength`, which flattens it), so a line cost 3.4 µs of CPU with 4 KiB batches; as Buffers in
 * 16 KiB batches 1.0 µs (a standalone run through sonic-boom to /dev/null, 200,000 lines, all threads). A stalled log reader fills a bounded buffer instead of blocking the event loop (a synchronous write
 * would stop the whole service). pino flushes synchronously on process exit, so an orderly shutdown or a
 * crash that reaches 'exit' loses nothing; a SIGKILL loses at most what was queued (≤ 200 ms of lines).
 */
export function createLogDestination(env: AllConfig['app']['env'], isTTY = process.stdout.isTTY === true): DestinationStream {
  if (env === 'development' && isTTY) {
    const pretty = loadPrettyPrinter();
    if (pretty) return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true });
  }
  // Opening process.stdout puts a pipe on fd 1 in non-blocking mode (libuv): a full pipe then answers EAGAIN
  // instead of blocking a write — a thread-pool thread, or the exit flush — for as long as the reader stalls.
  // Its own write errors (EPIPE from a stray console.log) are dropped too, instead of crashing the process.
  if (!stdoutErrorsDropped) process.stdout.on('error', () => undefined);
  stdoutErrorsDropped = true;
  const stream = pino.destination({
    dest: 1,
    sync: false,
    minLength: LOG_BATCH_MIN_BYTES,
    maxWrite: LOG_MAX_WRITE_BYTES,
    periodicFlush: LOG_FLUSH_INTERVAL_MS,
    maxLength: LOG_BUFFER_MAX_BYTES,
    contentMode: 'buffer',
  });
  // pino writes strings; the buffer mode takes Buffers.
  const writeBuffer = stream.write.bind(stream) as unknown as (data: Buffer) => boolean;
  stream.write = (data: string | Buffer) => writeBuffer(typeof data === 'string' ? Buffer.from(data) : data);
  // pino calls flushSync at exit; sonic-boom's own retries EAGAIN (a full pipe) and every other error (EPIPE: the
  // reader is gone) forever, blocking the exit for good and with it every later signal handler.
  stream.flushSync = () => flushQueueWithin(stream, exitFlushBudgetMs);
  // A line that cannot be written is dropped; pino handles EPIPE and re-emits any other write error, which
  // without a listener would crash the process from inside its logger.
  stream.on('error', () => undefined);
  return stream;
}

/**
 * The queue of a sonic-boom 4.x destination in buffer mode (private fields: no public API writes it synchronously
 * with a bound): batches of Buffers and their lengths. The test "loses no queued line when the process exits at
 * once" fails loudly if an upgrade renames them.
 */
interface SonicBoomQueue {
  fd: number;
  _bufs: Buffer[][];
  _lens: number[];
  _writing: boolean;
  _writingBuf: Buffer;
  _len: number;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes the queued lines synchronously, retrying a full pipe (EAGAIN) until `budgetMs` has passed; on any other
 * error (EPIPE) or past the budget the rest is dropped. A write in flight (`_writing`) is left to the thread pool.
 */
function flushQueueWithin(stream: object, budgetMs: number): void {
  const queue = stream as SonicBoomQueue;
  const deadline = Date.now() + budgetMs;
  if (!queue._writing && queue._writingBuf.length > 0) {
    queue._bufs.unshift([queue._writingBuf]);
    queue._lens.unshift(queue._writingBuf.length);
    queue._writingBuf = Buffer.alloc(0);
  }
  try {
    while (queue._bufs.length > 0) {
      const chunk = Buffer.concat(queue._bufs[0] ?? []);
      let offset = 0;
      while (offset < chunk.length) {
        try {
          offset += writeSync(queue.fd, chunk, offset);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() >= deadline) return;
          Atomics.wait(pause, 0, 0, 10);
        }
      }
      queue._bufs.shift();
      queue._lens.shift();
    }
  } finally {
    // What was not written is dropped: nothing is left queued.
    queue._bufs.length = 0;
    queue._lens.length = 0;
    queue._len = 0;
  }
}
