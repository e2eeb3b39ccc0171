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

/** Lines are written out once this many bytes are queued… @default 4 KiB */
export const LOG_BATCH_MIN_BYTES = 4096;

/** …or, in quiet times, after at most this long. @default 200 ms */
export const LOG_FLUSH_INTERVAL_MS = 200;

/**
 * Longest the exit flush waits for a blocked stdout (a pipe whose reader stopped reading) before it drops what is
 * still queued: the exit stays within the shutdown bounds whatever state stdout is in. @default 1000 ms
 */
export const LOG_EXIT_FLUSH_TIMEOUT_MS = 1000;

let exitFlushBudgetMs = LOG_EXIT_FLUSH_TIMEOUT_MS;

/** From now on the exit flush makes one attempt and drops what stdout does not take at once (a second signal). */
export function dropQueuedLogsAtExit(): void {
  exitFlushBudgetMs = 0;
}

/**
 * Where logs go: human-readable lines when a developer watches a terminal (NODE_ENV=development, stdout
 * is a TTY, pino-pretty installed), JSON lines on stdout otherwise — what log collectors read.
 * JSON writes are asynchronous and batched: lines go out together once 4 KiB are queued, or at the latest
 * every 200 ms (sonic-boom's `minLength` + `periodicFlush`). One request line per write cost 16 µs of CPU per
 * request in the benchmark (a write syscall through libuv's thread pool each); batches of ~15 lines make it
 * ~1 µs. A stalled log reader fills a bounded buffer instead of blocking the event loop (a synchronous write
 * would stop the whole service). pino flushes synchronously on process exit, so an orderly shutdown or a
 * crash that reaches 'exit' loses nothing; a SIGKILL loses at most what was queued (≤ 200 ms of lines).
 */
export function createLogDestination(env: AllConfig['app']['env'], isTTY = process.stdout.isTTY === true): DestinationStream {
  if (env === 'development' && isTTY) {
    const pretty = loadPrettyPrinter();
    if (pretty) return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true });
  }
  // sonic-boom retries EAGAIN (a full pipe) forever, and pino's exit flush is synchronous: with a reader that
  // stopped reading the process blocked at exit for good, deaf to every further signal. Retries stay unbounded
  // while running (writes are asynchronous and the queue is capped) and are bounded by a deadline at exit.
  let giveUpAt = Infinity;
  const stream = pino.destination({
    dest: 1,
    sync: false,
    minLength: LOG_BATCH_MIN_BYTES,
    periodicFlush: LOG_FLUSH_INTERVAL_MS,
    maxLength: LOG_BUFFER_MAX_BYTES,
    retryEAGAIN: () => Date.now() < giveUpAt,
  });
  const flushSync = stream.flushSync.bind(stream);
  stream.flushSync = () => {
    giveUpAt = Date.now() + exitFlushBudgetMs;
    try {
      flushSync();
    } catch {
      // stdout gone (EPIPE) or still full at the deadline: the queued lines are dropped, not waited for
    } finally {
      giveUpAt = Infinity;
    }
  };
  // A line that cannot be written is dropped; pino handles EPIPE and re-emits any other write error, which
  // without a listener would crash the process from inside its logger.
  stream.on('error', () => undefined);
  return stream;
}
