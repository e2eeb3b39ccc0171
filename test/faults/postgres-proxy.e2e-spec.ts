import { type AppProcess, startAppProcess } from '../utils/app-process';
import { type FaultProxy, startFaultProxy } from '../utils/fault-proxy';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';
import {
  assertLedger,
  call,
  FAULT_ENV,
  RECOVERY_BOUND_MS,
  runScenario,
  statusOf,
  Tally,
  throughPort,
  until,
} from './postgres-fault-harness';

// The PostgreSQL fault matrix, part 1: a real `node dist/main.js` talking to the machine's PostgreSQL (a
// database of this file's own) through a fault proxy. One boot serves the network scenarios in turn; each
// scenario starts from a healthy service and must leave one behind.
describe('PostgreSQL faults through a fault proxy (real process)', () => {
  let database: TestDatabase;
  let proxy: FaultProxy;
  let app: AppProcess;
  const created: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const pg = new URL(database.url);
    proxy = await startFaultProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
    app = await startAppProcess({ ...FAULT_ENV, DATABASE_URL: throughPort(database.url, proxy.port) });
    await app.waitFor('/health/ready', 200, 30_000);
  }, 60_000);
  afterAll(async () => {
    await app?.stop('SIGKILL');
    await proxy?.close();
    await database?.drop();
  });

  const scenario = async (name: string, fault: () => Promise<void>) => {
    const result = await runScenario({ name, baseUrl: app.baseUrl, fault, heal: () => proxy.setMode('pass'), output: () => app.output() });
    created.push(...result.created);
    return result;
  };

  it('hold (a short partition, bytes delivered late): 503s within the timeouts, recovers', async () => {
    const { tally } = await scenario('pg-hold', () => proxy.setMode('hold'));
    expect(tally.statuses['503'] ?? 0).toBeGreaterThan(0);
  }, 40_000);

  it('black hole mid-traffic (open connections dead for good, new ones accepted): recovers without waiting for the dead sockets', async () => {
    const { tally } = await scenario('pg-blackhole-mid-traffic', () => proxy.setMode('blackhole'));
    expect(tally.statuses['503'] ?? 0).toBeGreaterThan(0);
  }, 40_000);

  it('black hole refusing new connections: 503s, recovers', async () => {
    const { tally } = await scenario('pg-blackhole-no-new', () => proxy.setMode('blackhole', { acceptNew: false }));
    expect(tally.statuses['503'] ?? 0).toBeGreaterThan(0);
  }, 40_000);

  it('reset (RST on every connection, old and new): 503s at once, recovers', async () => {
    const { tally } = await scenario('pg-reset', () => proxy.setMode('reset'));
    expect(tally.statuses['503'] ?? 0).toBeGreaterThan(0);
  }, 40_000);

  it('slow (latency per chunk above the statement timeout): 503 database-timeout, never a hang, recovers', async () => {
    const latencyMs = Number(FAULT_ENV.DB_STATEMENT_TIMEOUT_MS) + 200;
    const { tally } = await scenario('pg-latency', () => proxy.setMode('latency', { latencyMs }));
    expect(tally.statuses['503'] ?? 0).toBeGreaterThan(0);
  }, 40_000);

  it('refuse (port closed): 503s, recovers once the port opens again', async () => {
    const { tally } = await scenario('pg-refuse', () => proxy.setMode('refuse'));
    expect(tally.statuses['503'] ?? 0).toBeGreaterThan(0);
  }, 40_000);

  it('keeps the ledger across all scenarios: every 201 is a row, no row twice', async () => {
    const { rows, acknowledged } = await assertLedger(database.url, created);
    process.stdout.write(`[fault] ledger pg-proxy: ${acknowledged} acknowledged writes, ${rows} rows\n`);
    expect(acknowledged).toBeGreaterThan(0);
  });
});

describe('PostgreSQL black-holed from the start (real process)', () => {
  let database: TestDatabase;
  let proxy: FaultProxy;
  let app: AppProcess;

  beforeAll(async () => {
    database = await createTestDatabase();
    const pg = new URL(database.url);
    proxy = await startFaultProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
  });
  afterAll(async () => {
    await app?.stop('SIGKILL');
    await proxy?.close();
    await database?.drop();
  });

  it('serves live 200 and 503s while the database never answers, then becomes ready once it does', async () => {
    await proxy.setMode('blackhole');
    app = await startAppProcess({ ...FAULT_ENV, DATABASE_URL: throughPort(database.url, proxy.port) });
    await app.waitFor('/health/live', 200, 30_000);
    const tally = new Tally('pg-blackhole-from-start');
    for (const end = Date.now() + 3000; Date.now() < end;) {
      tally.record(await call(app.baseUrl, 'GET', '/api/v1/users?limit=1'));
      tally.record(await call(app.baseUrl, 'POST', '/api/v1/users', { email: `start-${tally.sent}@faults.test`, name: 'start' }));
      expect(await statusOf(app.baseUrl, '/health/live')).toBe(200);
      expect(await statusOf(app.baseUrl, '/health/ready')).toBe(503);
    }
    expect(Object.keys(tally.statuses)).toEqual(['503']);
    const healedAt = performance.now();
    await proxy.setMode('pass');
    await until(() => statusOf(app.baseUrl, '/health/ready'), 200, RECOVERY_BOUND_MS);
    tally.recoveryMs = Math.round(performance.now() - healedAt);
    tally.record(await call(app.baseUrl, 'GET', '/api/v1/users?limit=1'));
    expect(tally.statuses['200']).toBe(1);
    tally.print();
    tally.assertClean();
    expect(app.output()).toMatch(/database not reachable \(attempt \d+\)/);
  }, 60_000);
});
