import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbeddedTestPostgres } from './embedded-postgres';

/** Stops the embedded PostgreSQL of the run, if global-setup started one, and removes its data. */
export default async function globalTeardown(): Promise<void> {
  reportContractTally();
  const server = (globalThis as Record<string, unknown>)['__BALLAST_TEST_PG__'] as EmbeddedTestPostgres | undefined;
  if (!server) return;
  await server.stop();
  rmSync(server.dir, { recursive: true, force: true });
}

/** Prints how many responses the run validated against /docs-json (test/contract/contract-recorder.ts). */
function reportContractTally(): void {
  const dir = process.env['BALLAST_CONTRACT_DIR'];
  if (!dir) return;
  let validated = 0;
  let skipped = 0;
  for (const file of readdirSync(dir)) {
    const counts = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { validated: number; skipped: number };
    validated += counts.validated;
    skipped += counts.skipped;
  }
  process.stdout.write(`\n[contract] ${validated} responses validated against /docs-json (${skipped} outside it: unknown routes, /docs)\n`);
  rmSync(dir, { recursive: true, force: true });
}
