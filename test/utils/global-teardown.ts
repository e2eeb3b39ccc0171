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
  const skipped: Record<string, number> = {};
  for (const file of readdirSync(dir)) {
    const counts = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { validated: number; skipped: Record<string, number> };
    validated += counts.validated;
    for (const [reason, count] of Object.entries(counts.skipped)) skipped[reason] = (skipped[reason] ?? 0) + count;
  }
  const left =
    Object.entries(skipped)
      .map(([reason, count]) => `${count} ${reason}`)
      .join(', ') || 'none';
  process.stdout.write(`\n[contract] ${validated} responses validated against /docs-json; not validated: ${left}\n`);
  rmSync(dir, { recursive: true, force: true });
}
