// First: refuses an older Node with a clear message before any dependency can fail on it.
import './node-version-check';
// Second: the tracing SDK must patch node:http, pg and undici before anything requires them (docs/tracing.md).
import './platform/tracing/register';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { ConfigValidationError, loadConfig } from './config/load-config';
import { configureHttpServer } from './platform/http-server/configure-http-server';
import { listen } from './platform/http-server/listen';
import { ShutdownCoordinator } from './platform/lifecycle/shutdown-coordinator.service';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bodyParser: false, bufferLogs: true });
  configureHttpServer(app);
  app.get(ShutdownCoordinator).handleSignals(app);
  await listen(app);
  new Logger('Bootstrap').log(`listening on http://${config.app.host}:${config.app.port} (Node ${process.version})`);
}

void bootstrap();
