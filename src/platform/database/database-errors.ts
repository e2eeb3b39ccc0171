import { QueryRunnerAlreadyReleasedError } from 'typeorm';
import { ConflictError, type ProblemError, ServiceUnavailableError, ValidationProblemError } from '../errors';

/** PostgreSQL SQLSTATEs and driver messages that mean "the database cannot serve this now" (503). */
const UNAVAILABLE_CODES = new Set([
  // shutdown, crash, cannot connect now; too many connections, configuration limit
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '53400',
  // authentication failed, unknown database, object not in prerequisite state, no CONNECT privilege:
  // the deployment is wrong, not the request — the client can do nothing but retry later
  '28000',
  '28P01',
  '3D000',
  '55000',
  '42501',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error',
  'Connection is not established',
  'is not initialized',
  'Cannot execute operation on',
  // Repositories resolve entity metadata lazily: before the DataSource is initialised (still connecting at
  // start) TypeORM throws EntityMetadataNotFoundError — the database is not ready yet.
  'No metadata for',
];

function codeOf(error: Record<string, unknown>): string | undefined {
  const driver = error['driverError'] as Record<string, unknown> | undefined;
  const code = error['code'] ?? driver?.['code'];
  return typeof code === 'string' ? code : undefined;
}

/**
 * Maps a database or pool error to the SPEC status: pool exhausted, unreachable database and
 * statement/query timeouts -> 503 with Retry-After (the database is the bottleneck, a retry elsewhere or
 * later can succeed); unique violation -> 409; bad input the database refused -> 400. Anything else is
 * left to the filter's generic 500. The driver's message never reaches the client.
 */
export function translateDatabaseError(error: unknown): ProblemError | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = codeOf(error as unknown as Record<string, unknown>);
  const message = error.message;
  if (message.includes('timeout exceeded when trying to connect')) {
    return new ServiceUnavailableError('database-pool-exhausted', 'No database connection became free in time.', 1, error);
  }
  if (code === '57014' || message.includes('Query read timeout')) {
    return new ServiceUnavailableError('database-timeout', 'The database did not answer in time.', 1, error);
  }
  // TypeORM releases a query runner the moment its connection emits 'error' (terminated by a database restart or
  // failover): a transaction's next query then fails with this. Found by the restart fault scenario (was a 500).
  const lostMidTransaction = error instanceof QueryRunnerAlreadyReleasedError;
  if (
    lostMidTransaction ||
    (code && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) ||
    UNAVAILABLE_MESSAGES.some((m) => message.includes(m))
  ) {
    return new ServiceUnavailableError('database-unavailable', 'The database is unavailable.', 2, error);
  }
  if (code === '23505') return new ConflictError('A resource with the same unique value already exists.');
  if (code && code.startsWith('22')) return new ValidationProblemError('A value in the request is not valid for storage.');
  return undefined;
}
