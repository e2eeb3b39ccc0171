import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, loadAppConfig } from './app.module';
import { ConfigValidationError } from './config/load-config';
import { FEATURES } from './features';
import { collectFeatures, type FeatureDefinition } from './platform/composition';
import { MigrationNotRegisteredError } from './platform/database';
import { configureHttpServer, listen } from './platform/http-server';
import { ShutdownCoordinator } from './platform/lifecycle';

/**
 * Starts the service: the features' config checked (a bad value exits 1 naming it), the app built, the edge
 * installed, signals handed to the shutdown coordinator, then listen. `main.ts` calls it after its first two
 * imports (the Node version check, the tracing register); the bench starts it with one more feature
 * (`bench/targets/ballast-app.ts`). `label` goes into the "listening" line.
 */
export async function bootstrap(definitions: ReadonlyArray<FeatureDefinition> = FEATURES, label?: string): Promise<void> {
  let config, features;
  try {
    features = collectFeatures(definitions);
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
  new Logger('Bootstrap').log(
    `listening on http://${config.app.host}:${config.app.port} (${label ? `${label}, ` : ''}Node ${process.version})`,
  );
}
