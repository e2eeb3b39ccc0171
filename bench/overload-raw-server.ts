import { createServer, type ServerResponse } from 'node:http';
import { Pool } from 'pg';

/**
 * The floor for the overload bench: plain node:http with the same admission rule and the same precomputed
 * 503 as Ballast's edge, and nothing else (no Express, no Nest, no metrics). What Ballast's refusal costs
 * on top of this is the price of the framework in front of the edge.
 */
const SLOW_MS = Number(process.env['BENCH_SLOW_MS'] ?? 1000);
const LIMIT = Number(process.env['HTTP_CONCURRENCY_LIMIT'] ?? 1000);
const BACKLOG = Number(process.env['BENCH_BACKLOG'] ?? 511);
const refusal = Buffer.from(
  JSON.stringify({ type: 'urn:ballast:problem:concurrency-limit', title: 'Service temporarily unavailable', status: 503, detail: 'x' }),
);
const refusalHeaders = {
  'Content-Type': 'application/problem+json; charset=utf-8',
  'Content-Length': String(refusal.length),
  'Retry-After': '1',
};
const ok = Buffer.from(JSON.stringify({ sleptMs: SLOW_MS }));
let inFlight = 0;
/** /bench/db: the same pg_sleep query as Ballast's bench route, on a pool of the same size, cost toggled by SIGUSR2. */
const DB_MS = Number(process.env['BENCH_DB_MS'] ?? 5);
const SLOW_FACTOR = Number(process.env['BENCH_SLOW_FACTOR'] ?? 10);
let dbSlowed = false;
process.on('SIGUSR2', () => (dbSlowed = !dbSlowed));
const pool = process.env['DATABASE_URL']
  ? new Pool({ connectionString: process.env['DATABASE_URL'], max: Number(process.env['DB_POOL_MAX'] ?? 20) })
  : undefined;

function answerDb(res: ServerResponse): void {
  const ms = dbSlowed ? DB_MS * SLOW_FACTOR : DB_MS;
  pool?.query('SELECT pg_sleep($1)', [ms / 1000]).then(
    () => {
      const body = Buffer.from(JSON.stringify({ ms }));
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
      res.end(body);
    },
    () => {
      res.writeHead(500);
      res.end();
    },
  );
}

const server = createServer((req, res) => {
  if (req.url === '/metrics') {
    res.end('ok');
    return;
  }
  if (inFlight >= LIMIT) {
    res.writeHead(503, refusalHeaders);
    res.end(refusal);
    return;
  }
  inFlight++;
  res.on('close', () => inFlight--);
  if (req.url === '/bench/db') {
    answerDb(res);
    return;
  }
  setTimeout(() => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(ok.length) });
    res.end(ok);
  }, SLOW_MS);
});
server.listen({ port: Number(process.env['PORT']), host: process.env['HOST'] ?? '127.0.0.1', backlog: BACKLOG });
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => void (pool?.end() ?? Promise.resolve()).finally(() => process.exit(0)));
});
