import type { Env } from './env.schema';
import { settingsOf, type TracingSettings } from './tracing-settings';

/** A protection that PROTECTIONS_DISABLED can switch off. */
export type Protection = 'rate_limit' | 'http_metrics' | 'db_permits';

/**
 * The platform's typed configuration namespaces, read through `ConfigService<AllConfig, true>`. A feature's
 * settings are its own config fragment (config-fragment.ts), read with `fragment.from(configService)`.
 */
export interface AllConfig {
  app: { env: Env['NODE_ENV']; port: number; host: string; version: string };
  /** OpenTelemetry (the `OTEL_*` variables); undefined: tracing off. */
  tracing: TracingSettings | undefined;
  /** Node HTTP server limits (slow clients, oversized headers, connection floods). */
  httpServer: {
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    maxHeaderSize: number;
    maxConnections: number;
    listenBacklog: number;
  };
  /** Response security headers and CORS. */
  security: {
    /** Browser origins allowed to call the API cross-origin; empty: CORS off; `['*']`: any origin. */
    corsOrigins: string[];
    /** `Strict-Transport-Security` max-age; 0: not sent. */
    hstsMaxAgeSeconds: number;
  };
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
    /** Longest wait for another replica's boot migrations (their advisory lock); then exit 1. @default 300000 */
    migrationLockTimeoutMs: number;
    embeddedDir: string;
  };
  resilience: {
    dbPermits: number;
    externalPermits: number;
    /** A fixed in-flight cap, or `adaptive`: the limit follows measured latency within min…max. */
    httpConcurrencyLimit: number | 'adaptive';
    httpConcurrencyLimitMin: number;
    httpConcurrencyLimitMax: number;
    /** Pressure shedding thresholds; undefined: that signal is off. */
    shedMaxEventLoopDelayMs: number | undefined;
    shedMaxEventLoopUtilization: number | undefined;
    shedMaxHeapUsedPercent: number | undefined;
    /** Low-priority routes fill at most this % of the limit and are shed at this % of each pressure threshold. */
    shedLowPriorityPercent: number;
    requestTimeoutMs: number;
    bodyLimitBytes: number;
  };
  rateLimit: {
    perSecond: number;
    burst: number;
    redisUrl: string | undefined;
    trustProxy: string;
    /** What decides when Redis does not answer: the local limiter, allow all, or refuse all (503). */
    redisFailure: Env['RATE_LIMIT_REDIS_FAILURE'];
    redisTimeoutMs: number;
    /** Bound of the in-process store; beyond it the least recently seen client's bucket is dropped. */
    maxKeys: number;
  };
  /** Idempotency-Key storage (platform/idempotency). */
  idempotency: { ttlSeconds: number };
  outbound: { timeoutMs: number; connectTimeoutMs: number; maxConnectionsPerHost: number };
  shutdown: { delayMs: number; drainTimeoutMs: number; closeTimeoutMs: number };
  health: { dbTimeoutMs: number; cacheTtlMs: number };
  log: { level: Env['LOG_LEVEL'] };
  /** Protections switched off (PROTECTIONS_DISABLED): for measuring what each costs, or an emergency. Empty by default. */
  protections: { disabled: ReadonlyArray<Protection> };
  /** OpenAPI at /docs and /docs-json. */
  docs: { enabled: boolean };
  /** The management listener; `port` undefined: /metrics and /health/* stay on the main port. */
  management: { port: number | undefined; host: string; token: string | undefined };
  /** Authentication (AUTH_*): JWT bearer tokens against a JWKS, API keys; see docs/identity.md. */
  identity: {
    /** Every request passes as an anonymous principal (never in production). */
    disabled: boolean;
    /** JWT verification; undefined without AUTH_JWKS_URL (then only API keys authenticate). */
    jwt:
      | {
          jwksUrl: string;
          issuer: string;
          audience: string;
          algorithms: string[];
          clockSkewSeconds: number;
          refreshSeconds: number;
          cooldownSeconds: number;
          maxStaleSeconds: number;
        }
      | undefined;
    apiKeyCacheSeconds: number;
    failuresPerMinute: number;
    /** Whether SERVER spans carry the principal id. */
    spanPrincipal: boolean;
  };
}

/** Maps the validated environment onto the namespaces. */
export function toAppConfig(env: Env, version: string): AllConfig {
  return {
    app: { env: env.NODE_ENV, port: env.PORT, host: env.HOST, version },
    httpServer: {
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxHeaderSize: env.HTTP_MAX_HEADER_SIZE,
      maxConnections: env.HTTP_MAX_CONNECTIONS,
      listenBacklog: env.HTTP_LISTEN_BACKLOG,
    },
    security: { corsOrigins: env.CORS_ORIGINS, hstsMaxAgeSeconds: env.HSTS_MAX_AGE_SECONDS },
    database: {
      url: env.DATABASE_URL,
      poolMax: env.DB_POOL_MAX,
      poolMin: env.DB_POOL_MIN,
      acquireTimeoutMs: env.DB_ACQUIRE_TIMEOUT_MS,
      idleTimeoutMs: env.DB_IDLE_TIMEOUT_MS,
      maxLifetimeMs: env.DB_MAX_LIFETIME_MS,
      statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
      runMigrations: env.DB_RUN_MIGRATIONS,
      migrationLockTimeoutMs: env.DB_MIGRATION_LOCK_TIMEOUT_MS,
      embeddedDir: env.EMBEDDED_POSTGRES_DIR,
    },
    resilience: {
      dbPermits: env.DB_PERMITS,
      externalPermits: env.EXTERNAL_API_PERMITS,
      httpConcurrencyLimit: env.HTTP_CONCURRENCY_LIMIT,
      httpConcurrencyLimitMin: env.HTTP_CONCURRENCY_LIMIT_MIN,
      httpConcurrencyLimitMax: env.HTTP_CONCURRENCY_LIMIT_MAX,
      shedMaxEventLoopDelayMs: env.SHED_MAX_EVENT_LOOP_DELAY_MS,
      shedMaxEventLoopUtilization: env.SHED_MAX_EVENT_LOOP_UTILIZATION,
      shedMaxHeapUsedPercent: env.SHED_MAX_HEAP_USED_PERCENT,
      shedLowPriorityPercent: env.SHED_LOW_PRIORITY_PERCENT,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
    },
    rateLimit: {
      perSecond: env.RATE_LIMIT_PER_SECOND,
      burst: env.RATE_LIMIT_BURST,
      redisUrl: env.REDIS_URL,
      trustProxy: env.TRUST_PROXY,
      redisFailure: env.RATE_LIMIT_REDIS_FAILURE,
      redisTimeoutMs: env.RATE_LIMIT_REDIS_TIMEOUT_MS,
      maxKeys: env.RATE_LIMIT_MAX_KEYS,
    },
    idempotency: { ttlSeconds: env.IDEMPOTENCY_TTL_SECONDS },
    outbound: {
      timeoutMs: env.OUTBOUND_TIMEOUT_MS,
      connectTimeoutMs: env.OUTBOUND_CONNECT_TIMEOUT_MS,
      maxConnectionsPerHost: env.OUTBOUND_MAX_CONNECTIONS_PER_HOST,
    },
    shutdown: {
      delayMs: env.SHUTDOWN_DELAY_MS,
      drainTimeoutMs: env.SHUTDOWN_DRAIN_TIMEOUT_MS,
      closeTimeoutMs: env.SHUTDOWN_CLOSE_TIMEOUT_MS,
    },
    health: { dbTimeoutMs: env.HEALTH_DB_TIMEOUT_MS, cacheTtlMs: env.HEALTH_CACHE_TTL_MS },
    log: { level: env.LOG_LEVEL },
    tracing: settingsOf(env),
    protections: {
      disabled: env.PROTECTIONS_DISABLED.split(',')
        .map((p) => p.trim())
        .filter((p): p is Protection => p !== ''),
    },
    docs: { enabled: env.DOCS_ENABLED === 'auto' ? env.NODE_ENV !== 'production' : env.DOCS_ENABLED === 'true' },
    management: { port: env.MANAGEMENT_PORT, host: env.MANAGEMENT_HOST, token: env.MANAGEMENT_TOKEN },
    identity: {
      disabled: env.AUTH_DISABLED,
      jwt:
        env.AUTH_JWKS_URL === undefined
          ? undefined
          : {
              jwksUrl: env.AUTH_JWKS_URL,
              issuer: env.AUTH_ISSUER,
              audience: env.AUTH_AUDIENCE,
              algorithms: env.AUTH_ALGORITHMS.split(',').map((a) => a.trim()),
              clockSkewSeconds: env.AUTH_CLOCK_SKEW_SECONDS,
              refreshSeconds: env.AUTH_JWKS_REFRESH_SECONDS,
              cooldownSeconds: env.AUTH_JWKS_COOLDOWN_SECONDS,
              maxStaleSeconds: env.AUTH_JWKS_MAX_STALE_SECONDS,
            },
      apiKeyCacheSeconds: env.AUTH_API_KEY_CACHE_SECONDS,
      failuresPerMinute: env.AUTH_FAILURES_PER_MINUTE,
      spanPrincipal: env.AUTH_SPAN_PRINCIPAL,
    },
  };
}
