/** Names of the management module's metrics. */
export const MANAGEMENT_METRIC = {
  /** The current log level as pino's number (10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal; silent +Inf). */
  logLevel: 'log_level',
  /** Diagnostics taken (kind: heap_snapshot, cpu_profile). */
  diagnosticsTaken: 'diagnostics_taken_total',
} as const;

/** Longest a temporary log level lasts before it reverts by itself: a forgotten `debug` must not stay on. @default 3600 */
export const LOG_LEVEL_MAX_TTL_SECONDS = 3600;

/** How long a temporary log level lasts when the request names no TTL. @default 600 */
export const LOG_LEVEL_DEFAULT_TTL_SECONDS = 600;

/** Longest CPU profile `POST /admin/cpu-profile?seconds=N` takes. @default 300 */
export const CPU_PROFILE_MAX_SECONDS = 300;

/** A CPU profile's length when `seconds` is not given. @default 10 */
export const CPU_PROFILE_DEFAULT_SECONDS = 10;

/**
 * A heap snapshot is refused (507) while the V8 heap in use exceeds this share of the heap limit: taking one needs
 * about as much memory again as the heap in use (`?force=true` takes it anyway).
 * @default 50
 */
export const HEAP_SNAPSHOT_MAX_HEAP_USED_PERCENT = 50;

/** Largest request body of a management endpoint. @default 4096 */
export const MANAGEMENT_BODY_LIMIT_BYTES = 4096;

/** Failed /admin authentications allowed in a burst, refilled at {@link ADMIN_FAILURES_PER_MINUTE}; beyond: 429. @default 10 */
export const ADMIN_FAILURE_BURST = 10;

/** Refill rate of the failed-authentication bucket. @default 10 */
export const ADMIN_FAILURES_PER_MINUTE = 10;

/** How long open management connections get to finish when the listener closes, before they are cut. @default 1000 */
export const MANAGEMENT_CLOSE_GRACE_MS = 1000;

/** The paths the management listener serves; on the main port they answer 404 once MANAGEMENT_PORT is set. */
export const MANAGEMENT_PATHS = {
  metrics: '/metrics',
  live: '/health/live',
  ready: '/health/ready',
  info: '/info',
  admin: '/admin',
} as const;
