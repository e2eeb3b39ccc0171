import { Controller, Get, Module, Param } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import request from 'supertest';
import { loadConfig } from '../../src/config/load-config';
import { ErrorsModule } from '../../src/platform/errors/errors.module';
import { configureHttpServer } from '../../src/platform/http-server/configure-http-server';
import type { HttpClient } from '../../src/platform/http-client/http-client';
import { InjectHttpClient } from '../../src/platform/http-client/http-client.decorator';
import { HttpClientModule } from '../../src/platform/http-client/http-client.module';
import { UpstreamHealthIndicator } from '../../src/platform/http-client/upstream.health';
import { MetricsModule } from '../../src/platform/observability/metrics.module';
import { edgeModules } from '../utils/edge-modules';
import { behave, closedPortUrl, UpstreamServer } from '../utils/upstream-server';

/**
 * What a caller of this service gets when a feature lets the client's errors through (no degradation): a
 * test-only controller that returns the upstream's answer or fails with the client's error, under the real
 * problem+json filter.
 */
@Controller('raw')
class RawController {
  constructor(
    @InjectHttpClient('raw') private readonly raw: HttpClient,
    @InjectHttpClient('refused') private readonly refused: HttpClient,
  ) {}

  @Get('refused')
  async viaRefused(): Promise<unknown> {
    return (await this.refused.get('/')).body;
  }

  @Get(':mode')
  async call(@Param('mode') mode: string): Promise<unknown> {
    return (await this.raw.get(`/${mode}`)).body;
  }
}

describe('HttpClient errors as callers see them (e2e, problem+json)', () => {
  let upstream: UpstreamServer;
  let critical: UpstreamServer;
  let refusedUrl: string;
  let app: NestExpressApplication;
  let server: Server;
  let closed = false;
  const secrets: string[] = [];

  beforeAll(async () => {
    upstream = await new UpstreamServer((req, res) => {
      const mode = req.url?.slice(1);
      if (mode === 'ok') return behave.json({ answer: 42 })(req, res);
      if (mode === 'hang') return behave.hang()(req, res);
      if (mode === 'fail') return behave.status(500)(req, res);
      if (mode === 'unavailable') return behave.status(503)(req, res);
      return behave.reset()(req, res);
    }).start();
    critical = await new UpstreamServer(behave.status(500)).start();
    refusedUrl = await closedPortUrl();
    // Anything of the upstreams that must never reach a client.
    secrets.push('127.0.0.1', new URL(upstream.url).port, new URL(refusedUrl).port, 'db01', 'hunter2', 'ECONNREFUSED', 'x-upstream-secret');

    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', EXTERNAL_API_PERMITS: '3', OUTBOUND_TIMEOUT_MS: '300' });
    @Module({
      imports: [
        HttpClientModule.forFeature({
          name: 'raw',
          baseUrl: upstream.url,
          retry: { maxRetries: 1, initialDelayMs: 10 },
          breaker: { consecutiveFailures: 12, failureRate: 0.99, window: 100, minimumAttempts: 100, halfOpenAfterMs: 60_000 },
        }),
        HttpClientModule.forFeature({ name: 'refused', baseUrl: refusedUrl, retry: { maxRetries: 0 } }),
        HttpClientModule.forFeature({
          name: 'critical',
          baseUrl: critical.url,
          affectsReadiness: true,
          healthPath: '/health',
          healthTimeoutMs: 500,
        }),
        HttpClientModule.forFeature({ name: 'disabled', baseUrl: undefined }),
      ],
      controllers: [RawController],
    })
    class RawFeatureModule {}

    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => config] }),
        ErrorsModule,
        MetricsModule,
        ...edgeModules(),
        RawFeatureModule,
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: false });
    configureHttpServer(app);
    await app.init();
    server = app.getHttpServer();
  });

  afterAll(async () => {
    if (!closed) await app?.close();
    await upstream?.stop();
    await critical?.stop();
  });

  function expectSafeProblem(res: request.Response, status: number, slug: string): void {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, type: `urn:ballast:problem:${slug}` });
    const everything = JSON.stringify(res.headers) + res.text;
    for (const secret of secrets) expect(everything).not.toContain(secret);
  }

  it('passes a successful answer through', async () => {
    const res = await request(server).get('/raw/ok');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ answer: 42 });
  });

  it('answers 504 upstream-timeout when the upstream hangs past OUTBOUND_TIMEOUT_MS', async () => {
    const res = await request(server).get('/raw/hang');
    expectSafeProblem(res, 504, 'upstream-timeout');
  });

  it('answers 503 upstream-unavailable with Retry-After for an upstream 500, without its body or headers', async () => {
    const res = await request(server).get('/raw/fail');
    expectSafeProblem(res, 503, 'upstream-unavailable');
    expect(res.headers['retry-after']).toBe('1');
  });

  it('answers 503 upstream-unavailable for an upstream 503 after its retry, and for a reset connection', async () => {
    expectSafeProblem(await request(server).get('/raw/unavailable'), 503, 'upstream-unavailable');
    expectSafeProblem(await request(server).get('/raw/reset'), 503, 'upstream-unavailable');
  });

  it('answers 503 upstream-unavailable for a refused connection, without the address', async () => {
    const res = await request(server).get('/raw/refused');
    expectSafeProblem(res, 503, 'upstream-unavailable');
    expect(res.headers['retry-after']).toBe('1');
  });

  it('answers 503 permits-exhausted at once when every external permit is held', async () => {
    const hanging = [request(server).get('/raw/hang'), request(server).get('/raw/hang'), request(server).get('/raw/hang')].map((r) =>
      r.then((x) => x),
    );
    await new Promise((resolve) => setTimeout(resolve, 80));
    const res = await request(server).get('/raw/ok');
    expectSafeProblem(res, 503, 'permits-exhausted');
    expect(res.headers['retry-after']).toBe('1');
    const held = await Promise.all(hanging);
    expect(held.map((r) => r.status)).toEqual([504, 504, 504]);
  });

  it('answers 503 upstream-circuit-open with the cool-down as Retry-After once the circuit opens', async () => {
    let res = await request(server).get('/raw/fail');
    for (let i = 0; i < 10 && res.body.type !== 'urn:ballast:problem:upstream-circuit-open'; i++)
      res = await request(server).get('/raw/fail');
    expectSafeProblem(res, 503, 'upstream-circuit-open');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(50);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    const metrics = await request(server).get('/metrics');
    expect(metrics.text).toMatch(/outbound_circuit_state\{upstream="raw"\} 2/);
    expect(metrics.text).toMatch(/outbound_request_duration_seconds_count\{upstream="raw",outcome="circuit_open"\} [1-9]/);
    expect(metrics.text).toMatch(/outbound_retries_total\{upstream="raw"\} [1-9]/);
  });

  describe(UpstreamHealthIndicator.name, () => {
    it('reports an upstream off the readiness path as degraded (not down) while its circuit is open', async () => {
      const health = app.get(UpstreamHealthIndicator);
      expect(await health.isHealthy('raw')).toEqual({ upstream_raw: { status: 'degraded', circuit: 'open', message: expect.any(String) } });
      expect(await health.isHealthy('disabled')).toEqual({ upstream_disabled: { status: 'up', enabled: false } });
    });

    it('reports an upstream that affects readiness as down when its health probe fails, without its address', async () => {
      const health = app.get(UpstreamHealthIndicator);
      const result = await health.isHealthy('critical');
      expect(result.upstream_critical?.status).toBe('down');
      for (const secret of [...secrets, new URL(critical.url).port]) expect(JSON.stringify(result)).not.toContain(secret);
      critical.behaviour = behave.json({ status: 'ok' });
      await new Promise((resolve) => setTimeout(resolve, 550));
      expect((await health.isHealthy('critical')).upstream_critical?.status).toBe('up');
    });

    it('offers readiness checks only for upstreams registered with affectsReadiness', async () => {
      const health = app.get(UpstreamHealthIndicator);
      const checks = health.readinessChecks();
      expect(checks).toHaveLength(1);
      expect(Object.keys(await checks[0]())).toEqual(['upstream_critical']);
      expect(health.checks()).toHaveLength(4);
    });
  });

  it('closes its kept-alive upstream connections when the application closes', async () => {
    upstream.behaviour = behave.json({ ok: true });
    await request(server).get('/raw/ok');
    expect(upstream.openConnections).toBeGreaterThan(0);
    closed = true;
    await app.close();
    for (let i = 0; i < 50 && upstream.openConnections > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(upstream.openConnections).toBe(0);
  });
});
