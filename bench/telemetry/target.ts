import { Controller, Get, Module } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppModule, loadAppConfig } from '../../src/app.module';
import { configureHttpServer } from '../../src/platform/http-server/configure-http-server';
import { HttpTelemetryMiddleware } from '../../src/platform/observability/http-telemetry.middleware';

/** The simplest route: no database, no body; what is left to measure is the pipeline around it. */
@Controller('bench')
class PingController {
  @Get('ping')
  ping(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

/**
 * A Ballast server for the telemetry bench: the real AppModule and edge, plus GET /bench/ping.
 * BENCH_TELEMETRY=off replaces the telemetry edge (request id, RED metrics, request line) by a pass-through;
 * LOG_LEVEL decides whether request lines are written (info) or not (warn).
 */
async function main(): Promise<void> {
  const config = loadAppConfig(process.env);
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config), PingModule] });
  if (process.env['BENCH_TELEMETRY'] === 'off') {
    builder = builder
      .overrideProvider(HttpTelemetryMiddleware)
      .useValue({ handle: (_req: IncomingMessage, _res: ServerResponse, next: () => void) => next() });
  }
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, bufferLogs: true });
  configureHttpServer(app);
  await app.listen(config.app.port, config.app.host);
  const stop = () => void app.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
