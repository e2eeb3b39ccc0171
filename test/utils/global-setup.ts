import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from './embedded-postgres';

/**
 * Once per `npm test`: builds `dist/` (process-level tests run the real `node dist/main.js`) and, unless
 * TEST_DATABASE_URL or DATABASE_URL names a server, starts an embedded PostgreSQL for the whole run.
 * Every test file then gets its own database on that server (test/utils/test-database.ts).
 */
export default async function globalSetup(): Promise<void> {
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: join(__dirname, '..', '..'),
    stdio: 'inherit',
  });
  // Where each test file leaves its count of responses validated against /docs-json (summed in global-teardown).
  process.env['BALLAST_CONTRACT_DIR'] = mkdtempSync(join(tmpdir(), 'ballast-contract-'));
  const external = process.env['TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  if (external) {
    process.env['TEST_DATABASE_URL'] = external;
    process.stdout.write(`\n[tests] PostgreSQL: ${new URL(external).host} (from TEST_DATABASE_URL/DATABASE_URL)\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ballast-test-pg-'));
  const server = await startEmbeddedPostgres(dir);
  (globalThis as Record<string, unknown>)['__BALLAST_TEST_PG__'] = server;
  process.env['TEST_DATABASE_URL'] = server.url;
  process.stdout.write(`\n[tests] PostgreSQL: embedded at ${new URL(server.url).host} (set TEST_DATABASE_URL to use another)\n`);
}
