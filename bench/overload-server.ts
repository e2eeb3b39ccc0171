import { Controller, type DynamicModule, Get, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppModule } from '../src/app.module';
import type { AllConfig } from '../src/config/app-config';
import { loadConfig } from '../src/config/load-config';
import { configureHttpServer } from '../src/platform/http-server/configure-http-server';

/** How long the bench's slow route takes (ms). */
const SLOW_MS = Number(process.env['BENCH_SLOW_MS'] ?? 1000);
/** The listen backlog (Node's default is 511; the kernel caps it at net.core.somaxconn). */
const BACKLOG = Number(process.env['BENCH_BACKLOG'] ?? 511);

/** Bench-only: a route that holds its admission slot for SLOW_MS without touching the database. */
@Controller('bench')
class SlowController {
  @Get('slow')
  async slow(): Promise<{ sleptMs: number }> {
    await sleep(SLOW_MS);
    return { sleptMs: SLOW_MS };
  }
}

@Module({ controllers: [SlowController] })
class SlowModule {}

/** The real application plus the bench's slow route; never shipped (bench/ is outside the build). */
@Module({})
class OverloadBenchModule {
  static forRoot(config: AllConfig): DynamicModule {
    return { module: OverloadBenchModule, imports: [AppModule.forRoot(config), SlowModule] };
  }
}

/** Boots like main.ts, with the backlog under test, and stops on SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await NestFactory.create<NestExpressApplication>(OverloadBenchModule.forRoot(config), { bodyParser: false, logger: ['error', 'warn'] });
  configureHttpServer(app);
  await app.init();
  const server = app.getHttpServer();
  await new Promise<void>((resolve) => server.listen({ port: config.app.port, host: config.app.host, backlog: BACKLOG }, resolve));
  new Logger('Bench').warn(`overload server on ${config.app.host}:${config.app.port}, backlog ${BACKLOG}, slow route ${SLOW_MS} ms`);
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    void app.close().then(() => process.exit(0));
  });
}

void main();
