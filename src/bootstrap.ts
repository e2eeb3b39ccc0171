import { type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pino from 'pino';
import { AppModule, loadAppConfig } from './app.module';
import type { AllConfig } from './config/app-config';
import { ConfigValidationError, envVariables } from './config/load-config';
import { unknownVariableWarnings } from './config/unknown-variables';
import { FEATURES } from './features';
import { collectFeatures, type FeatureDefinition } from './platform/composition';
import { MigrationNotRegisteredError } from './platform/database';
import { configureHttpServer, listen } from './platform/http-server';
import { PhaseTimer, ShutdownCoordinator } from './platform/lifecycle';
import { causeChain, createRootLogger, FrameworkLogFilter, nestLoggerOver } from './platform/observability';

/** The start-up phases, named in the log line of a start that fails and timed in the "listening" line. */
type StartPhase = 'config' | 'application' | 'listen';

/**
 * Starts the service: the features' config checked (a bad value exits 1 naming it), the app built (with the
 * embedded PostgreSQL when DATABASE_URL is unset), the edge installed, signals handed to the shutdown coordinator,
 * then listen. A start that fails logs its phase and the cause chain and exits 1. Connecting and migrating run after
 * listen, in the background (live 200, ready 503 until done), and log their own progress. `main.ts` calls this after
 * its first two imports (the Node version check, the tracing register); the bench starts it with one more feature
 * (`bench/targets/ballast-app.ts`). `label` goes into the "listening" line.
 */
export async function bootstrap(definitions: ReadonlyArray<FeatureDefinition> = FEATURES, label?: string): Promise<void> {
  let config, features;
  try {
    features = collectFeatures(definitions);
    config = loadAppConfig(process.env, features);
  } catch (error) {
    // Before the configuration exists there is no logger: the list of bad variables goes to stderr as text.
    if (error instanceof ConfigValidationError || error instanceof MigrationNotRegisteredError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const unknown = unknownVariableWarnings(process.env, Object.keys(envVariables(features.configFragments)));
  const timings = new PhaseTimer<StartPhase>('application');
  let app: NestExpressApplication | undefined;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, features), {
      bodyParser: false,
      bufferLogs: true,
      // The failure is logged below, with its cause chain, instead of Nest's "[ExceptionHandler]" and exit;
      // buffered lines are flushed once the application's logger is installed (or by failStart).
      abortOnError: false,
      autoFlushLogs: false,
    });
    configureHttpServer(app);
    app.flushLogs();
    for (const warning of unknown) new Logger('Config').warn(warning);
    app.get(ShutdownCoordinator).handleSignals(app);
    timings.next('listen');
    await listen(app);
  } catch (error) {
    await failStart(config, timings.current, error, app);
  }
  new Logger('Bootstrap').log(
    `listening on http://${config.app.host}:${config.app.port} (${label ? `${label}, ` : ''}Node ${process.version}); started in ${timings.summary()}`,
  );
}

/** Logs why the start failed (phase, message, cause chain) through the service's log format, then exits 1. */
async function failStart(config: AllConfig, phase: StartPhase, error: unknown, app: INestApplication | undefined): Promise<never> {
  const logger = createRootLogger({ level: config.log.level, destination: pino.destination({ dest: 1, sync: true }) });
  // What was logged before the failure, in the same format (Nest's own lines at debug).
  Logger.overrideLogger(new FrameworkLogFilter(nestLoggerOver(logger)));
  Logger.flush();
  logger.fatal({ phase, causes: causeChain(error), err: error }, `start failed (${phase}): ${causeChain(error).join(': ')}`);
  // Closing what did start stops the embedded PostgreSQL (it would otherwise outlive the process).
  await app?.close().catch(() => undefined);
  process.exit(1);
}
