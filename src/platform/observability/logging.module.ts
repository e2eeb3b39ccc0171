import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule, type Params } from 'nestjs-pino';
import type { DestinationStream, Logger } from 'pino';
import type { AllConfig } from '../../config/app-config';
import { createLogDestination } from './log-destination';
import { LOG_DESTINATION, ROOT_LOGGER } from './logging.constants';
import { createRootLogger } from './root-logger.factory';

/** The root logger and its destination, shared by nestjs-pino and the HTTP telemetry edge. */
@Module({
  providers: [
    {
      provide: LOG_DESTINATION,
      inject: [ConfigService],
      useFactory: (config: ConfigService<AllConfig, true>) => createLogDestination(config.get('app.env', { infer: true })),
    },
    {
      provide: ROOT_LOGGER,
      inject: [ConfigService, LOG_DESTINATION],
      useFactory: (config: ConfigService<AllConfig, true>, destination: DestinationStream) =>
        createRootLogger({ level: config.get('log.level', { infer: true }), destination }),
    },
  ],
  exports: [LOG_DESTINATION, ROOT_LOGGER],
})
class RootLoggerModule {}

/**
 * Structured logs through pino. nestjs-pino supplies the Nest `LoggerService` (installed with
 * `app.useLogger`), so every `new Logger('X')` in the code base writes pino JSON. Its pino-http
 * middleware is not mounted (`forRoutes: []`): the request line is written by the telemetry edge, which
 * also sees requests refused before Nest's middleware runs (413, 415, shed 503s) and knows the route.
 */
@Global()
@Module({
  imports: [
    RootLoggerModule,
    LoggerModule.forRootAsync({
      imports: [RootLoggerModule],
      inject: [ROOT_LOGGER],
      useFactory: (logger: Logger): Params => ({ pinoHttp: { logger }, forRoutes: [] }),
    }),
  ],
  exports: [RootLoggerModule, LoggerModule],
})
export class LoggingModule {}
