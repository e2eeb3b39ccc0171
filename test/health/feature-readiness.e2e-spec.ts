import { Injectable, Module } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import request from 'supertest';
import { ReadinessRegistry } from '../../src/platform/health';
import { createTestApp, type TestApp } from '../utils/create-test-app';

/** A feature's own readiness check, as `npm run generate:feature -- <name> --with-readiness` writes one. */
@Injectable()
class ReportsReadiness {
  warm = false;
  calls = 0;
  constructor(
    private readonly indicators: HealthIndicatorService,
    registry: ReadinessRegistry,
  ) {
    registry.register('reports', () => this.check());
  }

  check(): Promise<HealthIndicatorResult> {
    this.calls++;
    const indicator = this.indicators.check('reports');
    return Promise.resolve(
      this.warm ? indicator.up({ cache: 'warm' }) : indicator.down({ cache: 'cold', message: 'report cache not loaded yet' }),
    );
  }
}

@Module({ providers: [ReportsReadiness] })
class ReportsModule {}

describe('a feature contributes a readiness check through the ReadinessRegistry', () => {
  let t: TestApp;
  let check: ReportsReadiness;

  beforeAll(async () => {
    t = await createTestApp({}, { extraImports: [ReportsModule] });
    check = t.app.get(ReportsReadiness);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("runs the platform's checks first (database, upstreams), then the features', whatever order Nest built the modules in", () => {
    const sources = t.app.get(ReadinessRegistry).sources;
    expect(sources.slice(0, 2)).toEqual(['database', 'upstreams']);
    expect(sources.at(-1)).toBe('reports');
  });

  it("answers 503 with the feature's key in `error` while its check is down, the database up", async () => {
    const res = await request(t.server).get('/health/ready');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      status: 'error',
      info: { lifecycle: { status: 'up' }, database: { status: 'up' } },
      error: { reports: { status: 'down', cache: 'cold', message: 'report cache not loaded yet' } },
      version: expect.any(String),
    });
  });

  it("answers 200 with the feature's key in `info` once it is up, and liveness never asks it", async () => {
    check.warm = true;
    const res = await request(t.server).get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, reports: { status: 'up', cache: 'warm' } } });
    // The body lists the keys as before the registry: lifecycle, database, then the others.
    expect(Object.keys(res.body.details).slice(0, 2)).toEqual(['lifecycle', 'database']);
    expect(Object.keys(res.body.details).at(-1)).toBe('reports');
    const calls = check.calls;
    expect((await request(t.server).get('/health/live')).status).toBe(200);
    expect(check.calls).toBe(calls);
  });

  it('refuses a second check under the same name', () => {
    expect(() => t.app.get(ReadinessRegistry).register('reports', () => ({ reports: { status: 'up' } }))).toThrow(
      'readiness check "reports" is registered twice',
    );
  });
});
