import { createServer } from 'node:http';
import { Pool } from 'pg';

/**
 * The physical reference: node:http + pg, no framework, the same query as Ballast's GET /api/v1/users/:id, and
 * GET /bench/json answering `{"ok":true}` like the frameworks' bench route. Hand-written on purpose: it is the
 * floor the frameworks are measured against.
 */
const pool = new Pool({ connectionString: process.env['DATABASE_URL'], max: Number(process.env['DB_POOL_MAX'] ?? 20) });
const ROUTE = /^\/api\/v1\/users\/([0-9a-f-]{36})$/;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/bench/json') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ ok: true }));
    return;
  }
  const match = req.method === 'GET' && req.url ? ROUTE.exec(req.url) : null;
  if (!match) {
    res.writeHead(404).end();
    return;
  }
  pool
    .query('SELECT "id", "email", "name", "created_at" FROM "users" WHERE "id" = $1 LIMIT 1', [match[1]])
    .then(({ rows }) => {
      const row = rows[0] as { id: string; email: string; name: string; created_at: Date } | undefined;
      if (!row) {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.stringify({ id: row.id, email: row.email, name: row.name, createdAt: row.created_at.toISOString() });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
    })
    .catch(() => res.writeHead(500).end());
});
server.listen(Number(process.env['PORT']), '127.0.0.1', () => process.stdout.write('ready\n'));

// Exit through process.exit on SIGTERM, so that `--cpu-prof` (bench/profile) writes its profile.
process.once('SIGTERM', () => process.exit(0));
