import { type AppProcess, startAppProcess } from '../utils/app-process';
import { createRestartablePostgres, type RestartablePostgres } from '../utils/restartable-postgres';
import { assertLedger, FAULT_ENV, runScenario } from './postgres-fault-harness';

// The PostgreSQL fault matrix, part 2: the database itself goes away (fast shutdown: every session is
// terminated, as in a crash or failover) and comes back, under concurrent writes. An embedded PostgreSQL of
// this file's own: stopping the machine's shared server would break every other test.
describe('PostgreSQL stopped and restarted under concurrent writes (real process)', () => {
  let pg: RestartablePostgres;
  let app: AppProcess;

  beforeAll(async () => {
    pg = await createRestartablePostgres();
    await pg.start();
    app = await startAppProcess({ ...FAULT_ENV, DATABASE_URL: pg.url });
    await app.waitFor('/health/ready', 200, 30_000);
  }, 120_000);
  afterAll(async () => {
    await app?.stop('SIGKILL');
    await pg?.destroy();
  }, 60_000);

  it('answers only 200/201/503/504 while the database is down, recovers after it restarts, and loses no acknowledged write', async () => {
    const { created } = await runScenario({
      name: 'pg-killed-restarted',
      baseUrl: app.baseUrl,
      fault: () => pg.stop(),
      heal: () => pg.start(),
      clients: 6,
      output: () => app.output(),
    });
    const { rows, acknowledged } = await assertLedger(pg.url, created);
    process.stdout.write(`[fault] ledger pg-killed-restarted: ${acknowledged} acknowledged writes, ${rows} rows\n`);
    expect(acknowledged).toBeGreaterThan(0);
  }, 60_000);
});
