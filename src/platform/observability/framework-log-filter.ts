import type { LoggerService } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';

/** Nest's start-up chatter: a line per module, controller and route, useful when debugging wiring only. */
const FRAMEWORK_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * The application's Nest logger with Nest's own start-up lines moved from `info` to `debug`, so a start at the
 * default level shows what the service did (database, migrations, listen) rather than a line per module. Nest
 * passes the context as the last argument.
 */
export class FrameworkLogFilter implements LoggerService {
  constructor(private readonly logger: LoggerService) {}

  log(message: unknown, ...params: unknown[]): void {
    if (FRAMEWORK_CONTEXTS.has(params.at(-1) as string)) this.logger.debug?.(message, ...params);
    else this.logger.log(message, ...params);
  }

  error(message: unknown, ...params: unknown[]): void {
    // Nest's report of a failed start: bootstrap.ts logs that failure itself, with its phase and cause chain.
    if (params.at(-1) === 'ExceptionHandler') return;
    this.logger.error(message, ...params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.logger.warn(message, ...params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.logger.debug?.(message, ...params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.logger.verbose?.(message, ...params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.logger.fatal?.(message, ...params);
  }
}

/**
 * A Nest logger over a plain pino logger, for the lines Nest buffered before a start failed (the application's own
 * nestjs-pino logger never came to exist then).
 */
export function nestLoggerOver(logger: PinoLogger): LoggerService {
  const at =
    (level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal') =>
    (message: unknown, ...params: unknown[]) => {
      const context = params.length > 0 ? params.at(-1) : undefined;
      logger[level]({ context }, typeof message === 'string' ? message : JSON.stringify(message));
    };
  return { log: at('info'), error: at('error'), warn: at('warn'), debug: at('debug'), verbose: at('trace'), fatal: at('fatal') };
}
