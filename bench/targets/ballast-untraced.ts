/**
 * Ballast without the tracing module's start: src/main.ts minus its first import (register), so no
 * settings check at boot and no SDK whatever the environment. The bench's "Ballast without the tracing
 * module" target (BENCH_UNTRACED_MAIN can point at another build instead, e.g. the commit before tracing).
 */
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, loadAppConfig } from '../../src/app.module';
import { configureHttpServer } from '../../src/platform/http-server/configure-http-server';
import { listen } from '../../src/platform/http-server/listen';
import { ShutdownCoordinator } from '../../src/platform/lifecycle/shutdown-coordinator.service';

async function bootstrap(): Promise<void> {
  const config = loadAppConfig(process.env);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bodyParser: false, bufferLogs: true });
  configureHttpServer(app);
  app.get(ShutdownCoordinator).handleSignals(app);
  await listen(app);
  new Logger('Bootstrap').log(`listening on http://${config.app.host}:${config.app.port} (untraced)`);
}

void bootstrap();
