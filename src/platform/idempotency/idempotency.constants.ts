/** The request header a client sends its key in (IETF draft-ietf-httpapi-idempotency-key-header). */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** The response header that marks a stored response sent again: `Idempotency-Replayed: true`. */
export const IDEMPOTENCY_REPLAYED_HEADER = 'Idempotency-Replayed';

/** Route metadata written by `@Idempotent()`. */
export const IDEMPOTENT_METADATA = 'ballast:idempotent';

/**
 * Longest key accepted (the draft sets no bound; 255 fits a UUID, a ULID or a client's own scheme with room).
 * @default 255
 */
export const MAX_KEY_LENGTH = 255;

/** Visible ASCII without space, `"`, `\` and `,` (a repeated header arrives comma-joined): nothing to escape in logs or SQL. */
export const KEY_PATTERN = /^[\x21\x23-\x2B\x2D-\x5B\x5D-\x7E]+$/;

/** Response headers stored with the outcome and replayed; the body's own bytes carry the rest. */
export const STORED_HEADERS = ['content-type', 'location', 'content-location', 'etag'] as const;

/** The platform table. */
export const IDEMPOTENCY_TABLE = 'idempotency_keys';

/**
 * How much longer than REQUEST_TIMEOUT_MS an in-progress claim is held before another attempt may take it over:
 * by then the first attempt's deadline passed and its statements were cancelled.
 * @default 2000
 */
export const CLAIM_LEASE_MARGIN_MS = 2000;

/**
 * How long an error response waits for its claim to be stored or released before it is sent anyway (the lease then
 * frees the claim): long enough for one statement on a healthy database, short enough not to delay a 503.
 * @default 250
 */
export const SETTLE_WAIT_MS = 250;

/** Cleanup of expired keys: interval, rows per DELETE and DELETEs per run (bounded work per tick). */
export const CLEANUP = { intervalMs: 60_000, batchSize: 1000, maxBatchesPerRun: 20 } as const;

/** Metric names (SPEC: `idempotency_requests_total`). */
export const IDEMPOTENCY_METRIC = {
  requests: 'idempotency_requests_total',
  storeDuration: 'idempotency_store_duration_seconds',
} as const;

/** Outcomes counted in `idempotency_requests_total`. */
export type IdempotencyOutcome = 'first' | 'replayed' | 'in_progress' | 'mismatch';

/** Store operations timed in `idempotency_store_duration_seconds`. */
export type StoreOperation = 'claim' | 'lookup' | 'complete' | 'release' | 'cleanup';
