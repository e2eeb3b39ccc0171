import { Inject } from '@nestjs/common';

/** Token of the application's root pino logger (`pino.Logger`); see {@link InjectRootLogger}. */
export const ROOT_LOGGER = Symbol('ballast:observability:root-logger');

/** Token of the stream the root logger writes to (`pino.DestinationStream`); tests override it to read logs. */
export const LOG_DESTINATION = Symbol('ballast:observability:log-destination');

/** Injects the root pino logger (for code that logs structured objects on a hot path; else use Nest's `Logger`). */
export const InjectRootLogger = (): ParameterDecorator => Inject(ROOT_LOGGER);

/**
 * Headers never written to a log, at the places a logged request/response carries them. Exact paths
 * only: a wildcard path (`*.password`) makes every log call walk the object, several µs a line.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["proxy-authorization"]',
  'headers["x-api-key"]',
  'headers["set-cookie"]',
];
