import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, loadAppConfig } from '../../src/app.module';
import { ConfigValidationError } from '../../src/config/load-config';
import { FEATURES } from '../../src/features';
import { collectFeatures } from '../../src/platform/composition';
import { MigrationNotRegisteredError } from '../../src/platform/database';
import { configureHttpServer, listen } from '../../src/platform/http-server';
import { ShutdownCoordinator } from '../../src/platform/lifecycle';
import { benchJsonFeature } from './bench-json.feature';

/**
 * src/main.ts's bootstrap with one more feature, the bench's GET /bench/json (bench-json.feature.ts): the same
 * config check, edge, signal handling (SIGTERM exits through process.exit, so `--cpu-prof` writes its profile)
 * and listen. The caller imports the tracing register first, or deliberately not (ballast-untraced.ts).
 */
export async function bootstrapBallast(label: string): Promise<void> {
  let config, features;
  try {
    features = collectFeatures([...FEATURES, benchJsonFeature]);
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
  new Logger('Bootstrap').log(`listening on http://${config.app.host}:${config.app.port} (${label}, Node ${process.version})`);
}
