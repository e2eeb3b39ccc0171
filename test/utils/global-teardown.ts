import { rmSync } from 'node:fs';
import type { EmbeddedTestPostgres } from './embedded-postgres';

/** Stops the embedded PostgreSQL of the run, if global-setup started one, and removes its data. */
export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>)['__BALLAST_TEST_PG__'] as EmbeddedTestPostgres | undefined;
  if (!server) return;
  await server.stop();
  rmSync(server.dir, { recursive: true, force: true });
}
