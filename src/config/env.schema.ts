import { z } from 'zod';
import {
  boolVar,
  enumVar,
  intOrKeywordVar,
  intVar,
  optionalNumberVar,
  secretVar,
  originListVar,
  stringVar,
  trustProxyVar,
  urlVar,
} from './env.helpers';
import { identityEnvShape } from './identity-env.schema';
import { tracingEnvShape } from './tracing-env.schema';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Every environment variable the platform reads, with its default and accepted range; each is validated on its
 * own, then env.rules.ts checks the ones that depend on each other. A feature's variables live in its own
 * config fragment (`src/<feature>/<feature>.config.ts`), validated with these. `.env.example` documents each one, and
 * the chart's values.schema.json lists each under `config`: keep the three in step (specs check both).
 */
export const envSchema = z.object({
  NODE_ENV: enumVar('development', ['development', 'production', 'test'] as const),
  PORT: intVar(3000, 0, 65535),
  HOST: stringVar('0.0.0.0', /^[\w.:-]+$/, 'a host name or IP address'),

  HTTP_HEADERS_TIMEOUT_MS: intVar(66_000, 1, 10 * MINUTE),
  HTTP_REQUEST_TIMEOUT_MS: intVar(90_000, 1, HOUR),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: intVar(65_000, 1, 10 * MINUTE),
  HTTP_MAX_HEADER_SIZE: intVar(16_384, 1024, 1024 * 1024),
  HTTP_MAX_CONNECTIONS: intVar(10_000, 1, 1_000_000),
  HTTP_LISTEN_BACKLOG: intVar(4096, 1, 65_535),
  CORS_ORIGINS: originListVar(),
  HSTS_MAX_AGE_SECONDS: intVar(31_536_000, 0, 2 * 31_536_000),

  DATABASE_URL: urlVar(['postgres:', 'postgresql:']),
  DB_POOL_MAX: intVar(20, 1, 1000),
  DB_POOL_MIN: intVar(5, 0, 1000),
  DB_ACQUIRE_TIMEOUT_MS: intVar(3000, 1, 10 * MINUTE),
  DB_IDLE_TIMEOUT_MS: intVar(600_000, 1000, 24 * HOUR),
  DB_MAX_LIFETIME_MS: intVar(1_800_000, 0, 24 * HOUR),
  DB_STATEMENT_TIMEOUT_MS: intVar(5000, 1, HOUR),
  DB_RUN_MIGRATIONS: boolVar(true),
  DB_MIGRATION_LOCK_TIMEOUT_MS: intVar(300_000, 1000, 24 * HOUR),
  EMBEDDED_POSTGRES_DIR: stringVar('.data/postgres'),

  DB_PERMITS: intVar(50, 1, 100_000),
  EXTERNAL_API_PERMITS: intVar(20, 1, 100_000),
  HTTP_CONCURRENCY_LIMIT: intOrKeywordVar(1000, 1, 1_000_000, 'adaptive'),
  HTTP_CONCURRENCY_LIMIT_MIN: intVar(20, 1, 1_000_000),
  HTTP_CONCURRENCY_LIMIT_MAX: intVar(1000, 1, 1_000_000),
  SHED_MAX_EVENT_LOOP_DELAY_MS: optionalNumberVar(1, 60_000, true),
  SHED_MAX_EVENT_LOOP_UTILIZATION: optionalNumberVar(0.01, 1, false),
  SHED_MAX_HEAP_USED_PERCENT: optionalNumberVar(1, 100, true),
  SHED_LOW_PRIORITY_PERCENT: intVar(80, 1, 100),
  REQUEST_TIMEOUT_MS: intVar(30_000, 1, HOUR),
  BODY_LIMIT_BYTES: intVar(102_400, 1, 100 * 1024 * 1024),
  IDEMPOTENCY_TTL_SECONDS: intVar(86_400, 1, 30 * 24 * 3600),

  RATE_LIMIT_PER_SECOND: intVar(10, 1, 1_000_000),
  RATE_LIMIT_BURST: intVar(30, 1, 10_000_000),
  REDIS_URL: urlVar(['redis:', 'rediss:']),
  TRUST_PROXY: trustProxyVar(),
  RATE_LIMIT_REDIS_FAILURE: enumVar('local', ['local', 'open', 'closed'] as const),
  RATE_LIMIT_REDIS_TIMEOUT_MS: intVar(100, 1, 10_000),
  RATE_LIMIT_MAX_KEYS: intVar(100_000, 100, 10_000_000),

  OUTBOUND_TIMEOUT_MS: intVar(30_000, 1, HOUR),
  OUTBOUND_CONNECT_TIMEOUT_MS: intVar(5000, 1, 10 * MINUTE),
  OUTBOUND_MAX_CONNECTIONS_PER_HOST: intVar(10, 1, 10_000),

  SHUTDOWN_DELAY_MS: intVar(0, 0, 10 * MINUTE),
  SHUTDOWN_DRAIN_TIMEOUT_MS: intVar(30_000, 0, 10 * MINUTE),
  SHUTDOWN_CLOSE_TIMEOUT_MS: intVar(5000, 1, 10 * MINUTE),

  HEALTH_DB_TIMEOUT_MS: intVar(1000, 1, MINUTE),
  HEALTH_CACHE_TTL_MS: intVar(1000, 0, MINUTE),

  DOCS_ENABLED: enumVar('auto', ['auto', 'true', 'false'] as const),

  PROTECTIONS_DISABLED: stringVar(
    '',
    /^((rate_limit|http_metrics|db_permits)(\s*,\s*(rate_limit|http_metrics|db_permits))*)?$/,
    'a comma-separated list of rate_limit, http_metrics, db_permits',
  ),

  LOG_LEVEL: enumVar('info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),

  // The management listener (/metrics, /health/*, /info, /admin/*); unset port: those stay on PORT.
  MANAGEMENT_PORT: optionalNumberVar(1, 65535, true),
  MANAGEMENT_HOST: stringVar('0.0.0.0', /^[\w.:-]+$/, 'a host name or IP address'),
  MANAGEMENT_TOKEN: secretVar(16, 'at least 16 characters without spaces (e.g. `openssl rand -hex 32`)'),

  // Authentication: JWT bearer tokens against a JWKS, API keys (docs/identity.md).
  ...identityEnvShape,

  // OpenTelemetry's standard variables (docs/tracing.md); tracing is off without an endpoint.
  ...tracingEnvShape,
});

/** The raw, validated environment. */
export type Env = z.output<typeof envSchema>;
