import { DatabaseConnectionService } from '../../src/platform/database/database-connection.service';
import { PermitPool } from '../../src/platform/resilience/permit-pool';
import { permitsToken } from '../../src/platform/resilience/resilience.constants';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { eventually, listen, lockTable, metric, openRequest, timedGet, waitingBackends } from './resilience-test-utils';
import { ResilienceTestModule } from './resilience-test.module';

const ACQUIRE_MS = 1000;
const STATEMENT_MS = 1500;
/** Generous: the machine is shared; the bounds under test are seconds apart from a hang. */
const MARGIN_MS = 1500;

describe('Database permits and timeouts against a stalled PostgreSQL (e2e)', () => {
  describe('pool of 2, 5 permits', () => {
    let t: TestApp;
    let base: string;

    beforeAll(async () => {
      t = await createTestApp(
        {
          DB_POOL_MAX: '2',
          DB_POOL_MIN: '1',
          DB_PERMITS: '5',
          DB_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_MS),
          DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_MS),
          REQUEST_TIMEOUT_MS: '20000',
        },
        { extraImports: [ResilienceTestModule] },
      );
      base = await listen(t.server);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers a single request against a stalled table within the statement timeout + margin, with 503 + Retry-After', async () => {
      const lock = await lockTable(t.database.url, 'users');
      try {
        const res = await timedGet(`${base}/api/v1/users`);
        expect(res.status).toBe(503);
        expect(res.body['type']).toBe('urn:ballast:problem:database-timeout');
        expect(res.headers.get('retry-after')).toBe('1');
        expect(res.ms).toBeGreaterThanOrEqual(STATEMENT_MS - 50);
        expect(res.ms).toBeLessThan(STATEMENT_MS + MARGIN_MS);
      } finally {
        await lock.release();
      }
    });

    it('with 40 concurrent requests, refuses the 35 beyond the permits at once, bounds the 5 admitted, no 500s, then recovers', async () => {
      const rejectedBefore = (await metric(base, 'resource_permits_rejected_total', { resource: 'db' })) ?? 0;
      const lock = await lockTable(t.database.url, 'users');
      let results;
      try {
        results = await Promise.all(Array.from({ length: 40 }, () => timedGet(`${base}/api/v1/users`)));
      } finally {
        await lock.release();
      }
      expect(results.every((r) => r.status === 503)).toBe(true);
      const refused = results.filter((r) => r.body['type'] === 'urn:ballast:problem:permits-exhausted');
      const admitted = results.filter((r) => r.body['type'] !== 'urn:ballast:problem:permits-exhausted');
      expect(refused).toHaveLength(35);
      for (const r of refused) {
        // Refused on arrival: a caller queued for a connection could not answer before the acquire timeout.
        expect(r.ms).toBeLessThan(ACQUIRE_MS);
        expect(r.headers.get('retry-after')).toBe('1');
      }
      // 2 ran into the statement timeout, 3 waited in the pool's queue and ran out of acquire time.
      expect(admitted.map((r) => r.body['type']).sort()).toEqual([
        'urn:ballast:problem:database-pool-exhausted',
        'urn:ballast:problem:database-pool-exhausted',
        'urn:ballast:problem:database-pool-exhausted',
        'urn:ballast:problem:database-timeout',
        'urn:ballast:problem:database-timeout',
      ]);
      for (const r of admitted) expect(r.ms).toBeLessThan(Math.max(ACQUIRE_MS, STATEMENT_MS) + MARGIN_MS);

      expect(await metric(base, 'resource_permits_rejected_total', { resource: 'db' })).toBe(rejectedBefore + 35);
      expect(await metric(base, 'http_requests_rejected_total', { reason: 'permits' })).toBe(rejectedBefore + 35);
      expect(await metric(base, 'resource_permits_in_use', { resource: 'db' })).toBe(0);
      const recovered = await Promise.all(Array.from({ length: 5 }, () => timedGet(`${base}/api/v1/users`)));
      expect(recovered.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    });

    it('keeps database probes under /health/ out of the permits: they answer while every permit is held', async () => {
      const permits = t.app.get<PermitPool>(permitsToken('db'));
      const held = Array.from({ length: permits.capacity }, () => permits.tryAcquire());
      try {
        expect((await timedGet(`${base}/api/v1/users`)).body['type']).toBe('urn:ballast:problem:permits-exhausted');
        expect((await timedGet(`${base}/health/test-db`)).status).toBe(200);
        expect(await metric(base, 'resource_permits_in_use', { resource: 'db' })).toBe(5);
      } finally {
        for (const p of held) p?.release();
      }
      expect((await timedGet(`${base}/api/v1/users`)).status).toBe(200);
    });
  });

  describe('a client that disconnects mid-query', () => {
    let t: TestApp;
    let base: string;

    beforeAll(async () => {
      t = await createTestApp({ DB_STATEMENT_TIMEOUT_MS: '20000', REQUEST_TIMEOUT_MS: '30000' });
      base = await listen(t.server);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('frees its permit at once: the stalled statement is cancelled, not left to the 20 s statement timeout', async () => {
      const permits = t.app.get<PermitPool>(permitsToken('db'));
      const lock = await lockTable(t.database.url, 'users');
      try {
        const client = openRequest(`${base}/api/v1/users`);
        await eventually(async () => permits.inUse === 1 && (await waitingBackends(t.database.url)) === 1);
        client.destroy();
        const freedIn = await eventually(async () => permits.inUse === 0 && (await waitingBackends(t.database.url)) === 0, 3000);
        expect(freedIn).toBeLessThan(3000);
        expect(await metric(base, 'resource_permits_in_use', { resource: 'db' })).toBe(0);
      } finally {
        await lock.release();
      }
      expect((await timedGet(`${base}/api/v1/users`)).status).toBe(200);
    });
  });

  describe('start-up work', () => {
    let t: TestApp;

    afterAll(async () => {
      await t?.close();
    });

    it('runs migrations and warms more connections than there are permits without taking any', async () => {
      t = await createTestApp({ DB_PERMITS: '1', DB_POOL_MIN: '3', DB_POOL_MAX: '3' });
      expect(t.app.get(DatabaseConnectionService).state).toBe('ready');
      expect(t.app.get<PermitPool>(permitsToken('db')).inUse).toBe(0);
      const base = await listen(t.server);
      expect((await timedGet(`${base}/api/v1/users`)).status).toBe(200);
    });
  });
});
