import { PermitPool } from '../../src/platform/resilience/permit-pool';
import { permitsToken } from '../../src/platform/resilience/resilience.constants';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { eventually, listen, metric, openRequest, timedGet } from './resilience-test-utils';
import { ResilienceTestModule } from './resilience-test.module';

describe('Permits a feature declares (ResilienceModule.forFeature + @UsePermits)', () => {
  let t: TestApp;
  let base: string;
  let reports: PermitPool;

  beforeAll(async () => {
    t = await createTestApp({}, { extraImports: [ResilienceTestModule] });
    base = await listen(t.server);
    reports = t.app.get<PermitPool>(permitsToken('reports'));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('holds a permit for the handler and refuses the request beyond the capacity with 503 at once', async () => {
    const first = timedGet(`${base}/test/report?ms=800`);
    await eventually(() => reports.inUse === 1);
    const second = await timedGet(`${base}/test/report?ms=1`);
    expect(second.status).toBe(503);
    expect(second.body['type']).toBe('urn:ballast:problem:permits-exhausted');
    expect(second.headers.get('retry-after')).toBe('1');
    expect(second.ms).toBeLessThan(400);
    expect((await first).status).toBe(200);
    expect(reports.inUse).toBe(0);
    expect(await metric(base, 'resource_permits_rejected_total', { resource: 'reports' })).toBe(1);
    expect(await metric(base, 'resource_permits_in_use', { resource: 'reports' })).toBe(0);
  });

  it('releases the permit when the handler fails', async () => {
    expect((await timedGet(`${base}/test/report-fails`)).status).toBe(409);
    expect(reports.inUse).toBe(0);
    expect((await timedGet(`${base}/test/report?ms=1`)).status).toBe(200);
  });

  it('releases the permit when the client goes away and the work stops on the request signal', async () => {
    const client = openRequest(`${base}/test/report?ms=5000`);
    await eventually(() => reports.inUse === 1);
    client.destroy();
    expect(await eventually(() => reports.inUse === 0, 2000)).toBeLessThan(2000);
    expect((await timedGet(`${base}/test/report?ms=1`)).status).toBe(200);
  });
});
