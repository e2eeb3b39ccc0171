// First: refuses an older Node with a clear message before any dependency can fail on it.
import './node-version-check';
// Second: the tracing SDK must patch node:http, pg and undici before anything requires them (docs/tracing.md).
import './platform/tracing/register';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, loadAppConfig } from './app.module';
import { ConfigValidationError } from './config/load-config';
import { FEATURES } from './features';
import { collectFeatures } from './platform/composition';
import { MigrationNotRegisteredError } from './platform/database';
import { configureHttpServer, listen } from './platform/http-server';
import { ShutdownCoordinator } from './platform/lifecycle';

async function bootstrap(): Promise<void> {
  let config, features;
  try {
    features = collectFeatures(FEATURES);
    config = loadAppConfig(process.env, features);
  } catch (error) {
    if (error instanceof ConfigValidationError || error instanceof MigrationNotRegisteredError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, features), {
    bodyParser: false,
    bufferLogs: true,
  });
  configureHttpServer(app);
  app.get(ShutdownCoordinator).handleSignals(app);
  await listen(app);
  new Logger('Bootstrap').log(`listening on http://${config.app.host}:${config.app.port} (Node ${process.version})`);
}

void bootstrap();
