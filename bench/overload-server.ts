import { Controller, type DynamicModule, Get, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { InjectDataSource } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { AppModule, loadAppConfig } from '../src/app.module';
import type { AllConfig } from '../src/config/app-config';
import { configureHttpServer } from '../src/platform/http-server/configure-http-server';

/** How long the bench's slow route takes (ms). */
const SLOW_MS = Number(process.env['BENCH_SLOW_MS'] ?? 1000);
/** The listen backlog (Node's default is 511; the kernel caps it at net.core.somaxconn). */
const BACKLOG = Number(process.env['BENCH_BACKLOG'] ?? 511);

/** Server-side cost of the bench's database route (ms), and the factor SIGUSR2 toggles it by (bench/overload-adaptive.ts). */
const DB_MS = Number(process.env['BENCH_DB_MS'] ?? 5);
const SLOW_FACTOR = Number(process.env['BENCH_SLOW_FACTOR'] ?? 10);
let dbSlowed = false;
// A signal, not an HTTP route: a control request could itself be shed by the limits under test.
process.on('SIGUSR2', () => (dbSlowed = !dbSlowed));

/** Bench-only routes: one that holds its admission slot for SLOW_MS without the database, one whose query cost can switch. */
@Controller('bench')
class SlowController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One query that takes DB_MS on the server (pg_sleep), SLOW_FACTOR times that while slowed. */
  @Get('db')
  async db(): Promise<{ ms: number }> {
    const ms = dbSlowed ? DB_MS * SLOW_FACTOR : DB_MS;
    await this.dataSource.query('SELECT pg_sleep($1)', [ms / 1000]);
    return { ms };
  }

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
  const config = loadAppConfig(process.env);
  const app = await NestFactory.create<NestExpressApplication>(OverloadBenchModule.forRoot(config), {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
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
