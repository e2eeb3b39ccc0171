import { Controller, Get, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { loadConfig } from '../../src/config/load-config';
import { ErrorsModule } from '../../src/platform/errors';
import { configureHttpServer } from '../../src/platform/http-server';
import { LifecycleModule } from '../../src/platform/lifecycle';
import { MetricsModule, ObservabilityModule } from '../../src/platform/observability';
import { RateLimitModule } from '../../src/platform/rate-limit';
import { ResilienceModule } from '../../src/platform/resilience';
import { currentRequestContext } from '../../src/platform/request-context';

/** Tells whether admission control marked the request exempt (exempt requests take no permits either). */
@Controller()
class ProbeController {
  @Get('status/deep')
  status() {
    return { exempt: currentRequestContext()?.exempt === true };
  }

  @Get('api/things')
  things() {
    return { exempt: currentRequestContext()?.exempt === true };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe('exempt paths: one configured list for admission, permits and the rate limiter', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'warn', RATE_LIMIT_BURST: '2', RATE_LIMIT_PER_SECOND: '1' });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => config] }),
        ErrorsModule,
        MetricsModule,
        ObservabilityModule,
        LifecycleModule,
        ResilienceModule.forRoot({ exemptPaths: ['/status'] }),
        RateLimitModule.forRoot(),
        ProbeModule,
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: ['error', 'warn'] });
    configureHttpServer(app);
    await app.init();
  });

  afterAll(async () => {
    await app.close();
  });

  it('a path in the list is exempt from admission (and so permits) and never rate limited, in any case', async () => {
    for (const path of ['/status/deep', '/STATUS/deep', '/Status/deep', '/status/deep?x=1', '/status/deep', '/status/deep']) {
      const response = await request(app.getHttpServer()).get(path);
      expect({ path, status: response.status, body: response.body as unknown }).toEqual({ path, status: 200, body: { exempt: true } });
    }
  });

  it('a path outside the list is counted by admission and limited', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await request(app.getHttpServer()).get('/api/things');
      statuses.push(response.status);
      if (response.status === 200) expect(response.body).toEqual({ exempt: false });
    }
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses).toContain(429);
  });
});
