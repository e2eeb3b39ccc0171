import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** One HTTP exchange as a client saw it. */
export interface Exchange {
  status?: number;
  /** The response's `Connection` header. */
  connection?: string;
  /** Whether the request went out on a kept-alive connection (Node's `req.reusedSocket`). */
  reusedSocket: boolean;
  /** Error code (ECONNRESET, ECONNREFUSED, ...) when no response arrived. */
  error?: string;
  body?: string;
}

/** GET `url` through `agent`; resolves with what happened, never rejects. */
export function get(url: string, agent: Agent, timeoutMs = 30_000): Promise<Exchange> {
  return new Promise((resolve) => {
    const req = request(url, { agent, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection, reusedSocket: req.reusedSocket, body }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ reusedSocket: req.reusedSocket, error: error.code ?? error.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ reusedSocket: req.reusedSocket, error: error.code ?? error.message }));
    req.end();
  });
}

/** Totals of a load run. */
export interface LoadReport {
  requests: number;
  byStatus: Record<string, number>;
  /** Requests that got no response, by error code. */
  errors: Record<string, number>;
  /** Responses that were not 2xx. */
  non2xx: number;
  durationMs: number;
}

/**
 * `concurrency` loops sending GET `url` back to back over keep-alive connections (one shared agent) until
 * stopped. Bounded: `maxRequests` in total.
 */
export function startKeepAliveLoad(url: string, concurrency: number, maxRequests = 200_000): { stop(): Promise<LoadReport> } {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const report: LoadReport = { requests: 0, byStatus: {}, errors: {}, non2xx: 0, durationMs: 0 };
  const started = performance.now();
  let running = true;
  const loops = Array.from({ length: concurrency }, async () => {
    while (running && report.requests < maxRequests) {
      const exchange = await get(url, agent, 10_000);
      report.requests++;
      if (exchange.error !== undefined) {
        report.errors[exchange.error] = (report.errors[exchange.error] ?? 0) + 1;
        await sleep(10);
        continue;
      }
      const status = String(exchange.status);
      report.byStatus[status] = (report.byStatus[status] ?? 0) + 1;
      if (!exchange.status || exchange.status < 200 || exchange.status > 299) report.non2xx++;
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      report.durationMs = Math.round(performance.now() - started);
      return report;
    },
  };
}
