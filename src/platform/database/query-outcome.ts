/** Values of `db_query_duration_seconds{outcome}`. */
export type QueryOutcome = 'ok' | 'error' | 'timeout' | 'constraint';

/** SQLSTATE class 23, integrity constraint violation: unique, foreign key, check, not-null, exclusion, restrict. */
const CONSTRAINT_VIOLATION_CLASS = '23';

/**
 * How a failed query ended: a statement/query timeout; a constraint violation (SQLSTATE class 23 — the
 * database refused the client's data, e.g. a duplicate email, and answered correctly: counted apart so that
 * the failure alert sees only the database failing); or any other error.
 */
export function queryOutcomeOf(error: unknown): QueryOutcome {
  const failure = error as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  const code = failure?.code ?? failure?.driverError?.code;
  const message = error instanceof Error ? error.message : '';
  if (code === '57014' || message.includes('Query read timeout')) return 'timeout';
  if (typeof code === 'string' && code.length === 5 && code.startsWith(CONSTRAINT_VIOLATION_CLASS)) return 'constraint';
  return 'error';
}
