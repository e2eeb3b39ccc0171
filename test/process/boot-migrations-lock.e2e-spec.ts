import { Client } from 'pg';
import { type AppProcess, startAppProcess } from '../utils/app-process';
import { startTcpGate, type TcpGate } from '../utils/tcp-gate';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';

/** A line the service logs at warn level or above, or Nest's own error output. */
const PROBLEM_LINE = /"level":"?(warn|error|fatal|40|50|60)\b|\bERROR\b|\bWARN\b/;
/** The test's own readiness polls, answered 503 while the processes wait (expected, and logged at warn). */
const READINESS_POLL = /"route":"\/health\/ready"|"context":"Health"/;

/** The warnings and errors of a process' output, leaving out its answers to the readiness polls. */
function problemsIn(output: string): string[] {
  return output.split('\n').filter((line) => PROBLEM_LINE.test(line) && !READINESS_POLL.test(line));
}

function report(line: string): void {
  process.stdout.write(`[boot-migrations-lock] ${line}\n`);
}

/** The same database reached through `port` on 127.0.0.1 (a gate in front of the real server). */
function throughPort(url: string, port: number): string {
  const gated = new URL(url);
  gated.hostname = '127.0.0.1';
  gated.port = String(port);
  return gated.toString();
}

describe('boot migrations under the advisory lock (two real processes, a new database)', () => {
  let database: TestDatabase;
  const apps: AppProcess[] = [];
  const gates: TcpGate[] = [];

  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.stop('SIGKILL')));
    await Promise.all(gates.splice(0).map((gate) => gate.close()));
    await database?.drop();
  }, 30_000);

  it('two replicas reaching PostgreSQL at the same moment apply each migration once, both get ready, and log no error', async () => {
    const target = new URL(database.url);
    const server = { host: target.hostname, port: Number(target.port || 5432) };
    // One gate per process: each holds its process's first connection until both processes have one waiting.
    gates.push(await startTcpGate(server), await startTcpGate(server));
    for (const gate of gates) {
      apps.push(
        await startAppProcess({
          DATABASE_URL: throughPort(database.url, gate.port),
          DB_POOL_MIN: '2',
          // The probe waits at the gate: it must not time out before the other process is there too.
          DB_ACQUIRE_TIMEOUT_MS: '60000',
        }),
      );
    }
    await Promise.all(apps.map((app) => app.waitFor('/health/live', 200)));
    await Promise.all(gates.map((gate) => gate.held(1)));
    // Both processes are waiting on the database: ready is 503 for both until the gates open.
    for (const app of apps) expect((await fetch(`${app.baseUrl}/health/ready`)).status).toBe(503);
    for (const gate of gates) gate.open();
    await Promise.all(apps.map((app) => app.waitFor('/health/ready', 200, 60_000)));

    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; times: string }>(
        'SELECT "name", count(*) AS "times" FROM "migrations" GROUP BY "name" ORDER BY min("id")',
      );
      expect(rows.length).toBeGreaterThan(1);
      expect(rows.filter((row) => row.times !== '1')).toEqual([]);
    } finally {
      await client.end();
    }
    const outputs = apps.map((app) => app.output());
    // One process applied them all, the other waited for its lock and found none left.
    const appliers = outputs.filter((output) => /applied \d+ migration\(s\)/.test(output));
    expect(appliers).toHaveLength(1);
    for (const [i, output] of outputs.entries()) {
      report(
        `process ${i + 1}: ${output
          .split('\n')
          .filter((line) => /[Mm]igration|database ready/.test(line))
          .join('\n  ')}`,
      );
      expect(problemsIn(output)).toEqual([]);
    }
  }, 120_000);

  it('waits at most DB_MIGRATION_LOCK_TIMEOUT_MS for a lock someone else holds (ready 503 meanwhile), then exits 1 naming it', async () => {
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(4207001)');
      const app = await startAppProcess({ DATABASE_URL: database.url, DB_POOL_MIN: '1', DB_MIGRATION_LOCK_TIMEOUT_MS: '3000' });
      apps.push(app);
      await app.waitForOutput('waiting for another process', 30_000);
      expect((await fetch(`${app.baseUrl}/health/live`)).status).toBe(200);
      expect((await fetch(`${app.baseUrl}/health/ready`)).status).toBe(503);
      expect(await app.exited).toBe(1);
      expect(app.output()).toContain('DB_MIGRATION_LOCK_TIMEOUT_MS');
      expect(app.output()).toMatch(/held the migration lock .* for over 3000 ms/);
    } finally {
      await holder.end();
    }
  }, 60_000);
});
