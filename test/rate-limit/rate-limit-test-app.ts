import { Controller, Get, type INestApplication, Module, Post } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { SkipThrottle, Throttle } from '@nestjs/throttler';
import type { Server } from 'node:http';
import type { AllConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { ErrorsModule } from '../../src/platform/errors/errors.module';
import { configureHttpServer } from '../../src/platform/http-server/configure-http-server';
import { edgeModules } from '../utils/edge-modules';
import { MetricsModule } from '../../src/platform/observability/metrics.module';
import { STRICT_POLICY } from '../../src/platform/rate-limit/rate-limit.constants';
import { RateLimitKey, RateLimitPolicy, tokenBucket } from '../../src/platform/rate-limit/rate-limit.decorator';
import { RateLimitModule } from '../../src/platform/rate-limit/rate-limit.module';

/** Routes exercising each rate-limit feature (no database needed). */
@Controller('api')
class ThingsController {
  @Get('things')
  list() {
    return { ok: true };
  }

  @Post('things')
  @RateLimitPolicy(STRICT_POLICY)
  create() {
    return { ok: true };
  }

  @Get('special')
  @Throttle({ default: tokenBucket({ burst: 2, perSecond: 1 }) })
  special() {
    return { ok: true };
  }

  /** A burst that depends on the request: the guard's per-route cache leaves such routes to the stock path. */
  @Get('dynamic')
  @Throttle({
    default: {
      limit: (context) => (context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers['x-tier'] === 'gold' ? 3 : 1),
      ttl: 2000,
    },
  })
  dynamic() {
    return { ok: true };
  }

  @Get('keyed')
  @RateLimitKey((req) => req['headers']['x-api-key'] as string | undefined)
  keyed() {
    return { ok: true };
  }

  @Get('skipped')
  @SkipThrottle()
  skipped() {
    return { ok: true };
  }
}

/** Stands in for the health module (another issue): only its paths matter here. */
@Controller('health')
class FakeHealthController {
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  ready() {
    return { status: 'ok' };
  }
}

@Module({ controllers: [ThingsController, FakeHealthController] })
class FixtureModule {}

/** A running app with the rate limiter, the error filter, metrics and the fixture routes. */
export interface RateLimitTestApp {
  app: INestApplication;
  server: Server;
  config: AllConfig;
  close(): Promise<void>;
}

/** Boots the fixture app with `env` (validated like the real environment) and the real HTTP edge. */
export async function createRateLimitTestApp(env: Record<string, string>): Promise<RateLimitTestApp> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env });
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => config] }),
      ErrorsModule,
      MetricsModule,
      RateLimitModule.forRoot(),
      ...edgeModules(),
      FixtureModule,
    ],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: ['error', 'warn'] });
  configureHttpServer(app);
  await app.init();
  return { app, server: app.getHttpServer(), config, close: () => app.close() };
}

let nextClient = Math.floor(Math.random() * 60_000);

/**
 * A fresh client address for each call, from 198.18.0.0/15 (reserved for benchmarks), starting at a
 * random point so runs sharing a Redis never reuse a bucket still alive from another run.
 */
export function newClientIp(): string {
  const n = nextClient++ % 65_536;
  return `198.18.${n >> 8}.${n & 255}`;
}

/** Reads one sample of a counter from the Prometheus text (0 when absent). */
export function metricValue(metricsText: string, name: string, labels = ''): number {
  const line = metricsText.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}}` : `${name} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
