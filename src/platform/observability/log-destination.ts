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

/**
 * Where logs go: human-readable lines when a developer watches a terminal (NODE_ENV=development, stdout
 * is a TTY, pino-pretty installed), JSON lines on stdout otherwise — what log collectors read. Writes
 * are synchronous, so nothing logged before an exit (a fatal error, the end of a shutdown) is lost.
 */
export function createLogDestination(env: AllConfig['app']['env'], isTTY = process.stdout.isTTY === true): DestinationStream {
  if (env === 'development' && isTTY) {
    const pretty = loadPrettyPrinter();
    if (pretty) return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true });
  }
  return pino.destination({ dest: 1, sync: true });
}
