import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { embeddedPostgresUrl } from './embedded-postgres';
import { freePort } from './free-port';

/** Default of EMBEDDED_POSTGRES_DIR (env.schema.ts), for the CLI scripts that read the environment directly. */
const DEFAULT_DIR = '.data/postgres';

/** `<EMBEDDED_POSTGRES_DIR>.port`, next to the data folder (initdb wants the folder itself empty). */
export function embeddedPortFile(dataDir: string): string {
  return `${resolve(dataDir)}.port`;
}

/** The port the embedded server of `dataDir` last listened on, if it ever ran. */
export function readEmbeddedPort(dataDir: string): number | undefined {
  try {
    const port = Number(readFileSync(embeddedPortFile(dataDir), 'utf8').trim());
    return Number.isInteger(port) && port > 0 && port < 65_536 ? port : undefined;
  } catch {
    return undefined;
  }
}

/** Records the embedded server's port, so `npm run db:url` and `npm run migration:*` find it. */
export function writeEmbeddedPort(dataDir: string, port: number): void {
  const file = embeddedPortFile(dataDir);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${port}\n`);
}

/** The port the embedded server of `dataDir` used before when it is free again, else a new free one. */
export async function stableEmbeddedPort(dataDir: string): Promise<number> {
  const previous = readEmbeddedPort(dataDir);
  if (previous !== undefined && (await isFree(previous))) return previous;
  return freePort();
}

function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/**
 * The full URL of the embedded server for EMBEDDED_POSTGRES_DIR in `env` (user, password, port, database),
 * for the TypeORM CLI and `npm run db:url`. Throws when that server never ran: start it with `npm start`.
 */
export function embeddedDatabaseUrl(env: NodeJS.ProcessEnv): string {
  const dataDir = env['EMBEDDED_POSTGRES_DIR']?.trim() || DEFAULT_DIR;
  const port = readEmbeddedPort(dataDir);
  if (port === undefined) {
    throw new Error(
      `DATABASE_URL is unset and no embedded PostgreSQL has run in ${dataDir} (no ${embeddedPortFile(dataDir)}): start one with \`npm start\`, or set DATABASE_URL.`,
    );
  }
  return embeddedPostgresUrl(port);
}
