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

/**
 * Where logs go: human-readable lines when a developer watches a terminal (NODE_ENV=development, stdout
 * is a TTY, pino-pretty installed), JSON lines on stdout otherwise — what log collectors read.
 * JSON writes are asynchronous: a line goes out at once when stdout is idle, lines logged while a write is
 * in flight go out together in the next one, and a stalled log reader fills a bounded buffer instead of
 * blocking the event loop (a synchronous write would stop the whole service). Not batched further
 * (`minLength`): that saves CPU under load but holds quiet-time lines back until a timer fires.
 * pino flushes synchronously on process exit, so an orderly shutdown or a crash that reaches 'exit'
 * loses nothing; a SIGKILL loses at most what was queued.
 */
export function createLogDestination(env: AllConfig['app']['env'], isTTY = process.stdout.isTTY === true): DestinationStream {
  if (env === 'development' && isTTY) {
    const pretty = loadPrettyPrinter();
    if (pretty) return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true });
  }
  return pino.destination({ dest: 1, sync: false, maxLength: LOG_BUFFER_MAX_BYTES });
}
