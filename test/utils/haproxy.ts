import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './app-process';

/** Health-check cadence: a replica that turns unready leaves rotation within about one interval. */
export const HAPROXY_CHECK_INTERVAL_MS = 250;

/** What HAProxy's stats report for one backend server. */
export interface ServerStats {
  status: string;
  /** Responses with a 2xx status the server sent through HAProxy. */
  responses2xx: number;
}

/** A real HAProxy on 127.0.0.1 in front of named backend servers. */
export interface Haproxy {
  url: string;
  stats(): Promise<Record<string, ServerStats>>;
  waitForStatus(server: string, status: 'UP' | 'DOWN', timeoutMs?: number): Promise<number>;
  output(): string;
  stop(): Promise<void>;
}

/** The HAProxy binary, or a clear failure: the rolling-restart test is part of `npm test` and CI installs it. */
export function haproxyBinary(): string {
  const found = spawnSync('sh', ['-c', 'command -v haproxy || ls /usr/sbin/haproxy 2>/dev/null'], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n')[0];
  if (!found || !existsSync(found)) {
    throw new Error(
      'HAProxy is not installed, and the rolling-restart test needs a real load balancer. ' +
        'Install it (Debian/Ubuntu: `apt-get install -y haproxy`); `.ci/run` installs it in CI.',
    );
  }
  return found;
}

/**
 * Starts HAProxy in the foreground with one backend health-checking `GET /health/ready` on each server, as
 * kube-proxy/ingress would route: round robin, keep-alive on both sides, no retries, no redispatch, so any
 * request a replica drops reaches the client as an error.
 */
export async function startHaproxy(servers: Array<{ name: string; port: number }>): Promise<Haproxy> {
  const binary = haproxyBinary();
  const [frontendPort, statsPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'ballast-haproxy-'));
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  maxconn 4000',
      'defaults',
      '  mode http',
      '  timeout connect 2s',
      '  timeout client 30s',
      '  timeout server 30s',
      '  timeout http-keep-alive 30s',
      '  timeout check 1s',
      '  retries 0',
      'frontend app',
      `  bind 127.0.0.1:${frontendPort}`,
      '  default_backend replicas',
      'frontend stats',
      `  bind 127.0.0.1:${statsPort}`,
      '  stats enable',
      '  stats uri /stats',
      'backend replicas',
      '  balance roundrobin',
      '  option httpchk GET /health/ready',
      '  http-check expect status 200',
      `  default-server inter ${HAPROXY_CHECK_INTERVAL_MS} fall 1 rise 2`,
      ...servers.map((server) => `  server ${server.name} 127.0.0.1:${server.port} check`),
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(binary, ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stats = async (): Promise<Record<string, ServerStats>> => {
    const res = await fetch(`http://127.0.0.1:${statsPort}/stats;csv`, { signal: AbortSignal.timeout(2000) });
    const [header, ...rows] = (await res.text()).trim().split('\n');
    const columns = (header ?? '').replace(/^# /, '').split(',');
    const at = (name: string) => columns.indexOf(name);
    const result: Record<string, ServerStats> = {};
    for (const row of rows.map((line) => line.split(','))) {
      if (row[at('pxname')] !== 'replicas' || row[at('svname')] === 'BACKEND') continue;
      result[row[at('svname')] ?? ''] = { status: row[at('status')] ?? '', responses2xx: Number(row[at('hrsp_2xx')] ?? 0) };
    }
    return result;
  };

  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}:\n${out}`);
    if (
      await stats().then(
        () => true,
        () => false,
      )
    )
      break;
    if (Date.now() - started > 10_000) throw new Error(`haproxy did not start:\n${out}`);
    await sleep(50);
  }

  return {
    url: `http://127.0.0.1:${frontendPort}`,
    stats,
    async waitForStatus(server, status, timeoutMs = 15_000) {
      const since = Date.now();
      for (;;) {
        const current = (await stats())[server]?.status;
        if (current === status) return Date.now() - since;
        if (Date.now() - since > timeoutMs) throw new Error(`haproxy: ${server} is ${current}, not ${status}, after ${timeoutMs} ms`);
        await sleep(25);
      }
    },
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
