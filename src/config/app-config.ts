import type { Env } from './env.schema';

/** Typed configuration namespaces, read through `ConfigService<AllConfig, true>`. */
export interface AllConfig {
  app: { env: Env['NODE_ENV']; port: number; host: string; version: string };
  database: {
    /** Unset: an embedded PostgreSQL is started (never in production). */
    url: string | undefined;
    poolMax: number;
    poolMin: number;
    acquireTimeoutMs: number;
    idleTimeoutMs: number;
    maxLifetimeMs: number;
    statementTimeoutMs: number;
    runMigrations: boolean;
    embeddedDir: string;
  };
  resilience: {
    dbPermits: number;
    externalPermits: number;
    httpConcurrencyLimit: number;
    requestTimeoutMs: number;
    bodyLimitBytes: number;
  };
  rateLimit: { perSecond: number; burst: number; redisUrl: string | undefined; trustProxy: string };
  outbound: { timeoutMs: number; connectTimeoutMs: number; maxConnectionsPerHost: number };
  shutdown: { delayMs: number; drainTimeoutMs: number };
  log: { level: Env['LOG_LEVEL'] };
  /** OpenAPI at /docs and /docs-json. */
  docs: { enabled: boolean };
}

/** Maps the validated environment onto the namespaces. */
export function toAppConfig(env: Env, version: string): AllConfig {
  return {
    app: { env: env.NODE_ENV, port: env.PORT, host: env.HOST, version },
    database: {
      url: env.DATABASE_URL,
      poolMax: env.DB_POOL_MAX,
      poolMin: env.DB_POOL_MIN,
      acquireTimeoutMs: env.DB_ACQUIRE_TIMEOUT_MS,
      idleTimeoutMs: env.DB_IDLE_TIMEOUT_MS,
      maxLifetimeMs: env.DB_MAX_LIFETIME_MS,
      statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
      runMigrations: env.DB_RUN_MIGRATIONS,
      embeddedDir: env.EMBEDDED_POSTGRES_DIR,
    },
    resilience: {
      dbPermits: env.DB_PERMITS,
      externalPermits: env.EXTERNAL_API_PERMITS,
      httpConcurrencyLimit: env.HTTP_CONCURRENCY_LIMIT,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
    },
    rateLimit: {
      perSecond: env.RATE_LIMIT_PER_SECOND,
      burst: env.RATE_LIMIT_BURST,
      redisUrl: env.REDIS_URL,
      trustProxy: env.TRUST_PROXY,
    },
    outbound: {
      timeoutMs: env.OUTBOUND_TIMEOUT_MS,
      connectTimeoutMs: env.OUTBOUND_CONNECT_TIMEOUT_MS,
      maxConnectionsPerHost: env.OUTBOUND_MAX_CONNECTIONS_PER_HOST,
    },
    shutdown: { delayMs: env.SHUTDOWN_DELAY_MS, drainTimeoutMs: env.SHUTDOWN_DRAIN_TIMEOUT_MS },
    log: { level: env.LOG_LEVEL },
    docs: { enabled: env.DOCS_ENABLED === 'auto' ? env.NODE_ENV !== 'production' : env.DOCS_ENABLED === 'true' },
  };
}
