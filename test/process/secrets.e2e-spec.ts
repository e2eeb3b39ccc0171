import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { type AppProcess, freePort, startAppProcess } from '../utils/app-process';
import { startTcpProxy, type TcpProxy } from '../utils/tcp-proxy';
import { adminDatabaseUrl } from '../utils/test-database';

/** A password nobody else uses, so that any occurrence in any output is a leak. */
const PASSWORD = `Pw${randomBytes(12).toString('hex')}`;

/** Paths worth asking: the API, and the health and metrics endpoints when they exist (404 is fine). */
const PROBES = [
  '/api/v1/users',
  '/api/v1/users/not-a-uuid',
  '/api/v1/users/01939e6a-0000-7000-8000-000000000000',
  '/no/such/route',
  '/health/live',
  '/health/ready',
  '/metrics',
];

/** Everything a client saw: status line, headers and body of every response. */
class Transcript {
  private readonly parts: string[] = [];

  async request(baseUrl: string, path: string, init?: RequestInit): Promise<number> {
    try {
      const res = await fetch(baseUrl + path, { ...init, signal: AbortSignal.timeout(10_000) });
      this.parts.push(
        `${init?.method ?? 'GET'} ${path} → ${res.status}\n${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${await res.text()}`,
      );
      return res.status;
    } catch (error) {
      this.parts.push(`${path} → ${String(error)}`);
      return 0;
    }
  }

  async probeAll(baseUrl: string): Promise<number[]> {
    const statuses = [];
    for (const path of PROBES) statuses.push(await this.request(baseUrl, path));
    statuses.push(
      await this.request(baseUrl, '/api/v1/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `s${randomBytes(4).toString('hex')}@example.com`, name: 'S' }),
      }),
    );
    return statuses;
  }

  text(): string {
    return this.parts.join('\n---\n');
  }
}

/** Polls until the process answers `path` at all (any status); returns that status. */
async function firstAnswer(app: AppProcess, path: string, timeoutMs = 30_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (app.child.exitCode !== null) return -app.child.exitCode;
    try {
      const res = await fetch(app.baseUrl + path, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return res.status;
    } catch {
      if (Date.now() - started > timeoutMs) throw new Error(`no answer on ${path} within ${timeoutMs} ms:\n${app.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function expectNoSecret(text: string, where: string): void {
  for (const form of [PASSWORD, encodeURIComponent(PASSWORD), Buffer.from(PASSWORD).toString('base64')]) {
    if (text.includes(form))
      throw new Error(`the password appears in ${where}:\n${text.slice(Math.max(0, text.indexOf(form) - 300), text.indexOf(form) + 100)}`);
  }
}

describe('secrets never leak (real process, password in DATABASE_URL and REDIS_URL)', () => {
  const role = `ballast_sec_${randomBytes(4).toString('hex')}`;
  const database = `${role}_db`;
  let admin: Client;
  let proxy: TcpProxy;
  let databaseUrl: string;

  beforeAll(async () => {
    admin = new Client({ connectionString: adminDatabaseUrl() });
    await admin.connect();
    // The test server may use trust auth (then the password is accepted unchecked) or password auth
    // (embedded PostgreSQL): either way the app really connects with a URL that holds the password.
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD}'`);
    await admin.query(`CREATE DATABASE ${database} OWNER ${role}`);
    const server = new URL(adminDatabaseUrl());
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    databaseUrl = `postgres://${role}:${PASSWORD}@127.0.0.1:${proxy.port}/${database}`;
  });
  afterAll(async () => {
    await proxy?.close();
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin?.query(`DROP ROLE IF EXISTS ${role}`);
    await admin?.end();
  });

  it('keeps the DATABASE_URL password out of every log line and response through start, requests, a database outage, recovery and shutdown', async () => {
    const transcript = new Transcript();
    const app = await startAppProcess({ DATABASE_URL: databaseUrl, DB_POOL_MIN: '2', DB_ACQUIRE_TIMEOUT_MS: '500', LOG_LEVEL: 'trace' });
    try {
      await app.waitFor('/api/v1/users', 200, 60_000);
      expect(await transcript.probeAll(app.baseUrl)).toContain(201);

      await proxy.cut(); // the database goes away under the running service
      const duringOutage = await transcript.probeAll(app.baseUrl);
      expect(duringOutage.some((status) => status >= 500)).toBe(true);
      process.stdout.write(`[secrets] statuses during the database outage (${PROBES.join(', ')}, POST): ${duringOutage.join(', ')}\n`);
      await new Promise((r) => setTimeout(r, 1500)); // reconnect attempts and their log lines

      await proxy.restore();
      await app.waitFor('/api/v1/users', 200, 30_000);
      await transcript.probeAll(app.baseUrl);
    } finally {
      expect(await app.stop('SIGTERM')).toBe(0);
    }
    expectNoSecret(app.output(), 'the process output');
    expectNoSecret(transcript.text(), 'a response');
    // Responses name no internal address either (the logs may: operators need them).
    expect(transcript.text()).not.toContain(`127.0.0.1:${proxy.port}`);
    expect(transcript.text()).not.toContain(role);
  }, 120_000);

  it('keeps the password out of the logs while the database is unreachable at start', async () => {
    const transcript = new Transcript();
    const closedPort = await freePort();
    const app = await startAppProcess({
      DATABASE_URL: `postgres://${role}:${PASSWORD}@127.0.0.1:${closedPort}/${database}`,
      LOG_LEVEL: 'trace',
    });
    try {
      await firstAnswer(app, '/api/v1/users');
      await new Promise((r) => setTimeout(r, 1500)); // a few connection attempts with backoff
      await transcript.probeAll(app.baseUrl);
    } finally {
      await app.stop('SIGTERM');
    }
    expect(app.output()).toMatch(/database not reachable/);
    expectNoSecret(app.output(), 'the process output');
    expectNoSecret(transcript.text(), 'a response');
    expect(transcript.text()).not.toContain(String(closedPort));
  }, 60_000);

  it('keeps a REDIS_URL password out of the logs when Redis cannot be reached', async () => {
    const transcript = new Transcript();
    const closedPort = await freePort();
    const app = await startAppProcess({
      DATABASE_URL: databaseUrl,
      REDIS_URL: `redis://default:${PASSWORD}@127.0.0.1:${closedPort}/0`,
      LOG_LEVEL: 'trace',
    });
    try {
      const first = await firstAnswer(app, '/api/v1/users', 60_000);
      if (first > 0) {
        for (let i = 0; i < 3; i++) await transcript.probeAll(app.baseUrl);
        await new Promise((r) => setTimeout(r, 1500)); // Redis reconnect attempts and their log lines
      }
    } finally {
      await app.stop('SIGTERM');
    }
    expect(app.output()).not.toBe('');
    expectNoSecret(app.output(), 'the process output');
    expectNoSecret(transcript.text(), 'a response');
  }, 90_000);

  it('never echoes a password in configuration errors, even from a URL that does not parse', async () => {
    const envs: Array<Record<string, string>> = [
      { DATABASE_URL: `postgres://${role}:${PASSWORD}@127.0.0.1:5432/x`, DB_POOL_MAX: 'many' },
      { DATABASE_URL: `postgres://${role}:${PASSWORD}@[not-a-host/x` },
      { DATABASE_URL: `mysql://${role}:${PASSWORD}@127.0.0.1/x` },
      { REDIS_URL: `redis://:${PASSWORD}@[::1/0` },
      { REDIS_URL: `http://:${PASSWORD}@127.0.0.1:6379` },
    ];
    for (const env of envs) {
      const app = await startAppProcess(env);
      expect(await app.exited).toBe(1);
      expect(app.output()).toMatch(/Invalid configuration/);
      expectNoSecret(app.output(), `the output for ${Object.keys(env).join(', ')}`);
    }
  }, 60_000);
});
