import { ServiceUnavailableError } from '../errors/problem.error';

/**
 * TypeORM releases a query runner whose connection broke (the database restarted, the connection was killed), and
 * the transaction's next statement fails with QueryRunnerAlreadyReleasedError — which the database error translation
 * does not know: without this it would be a 500 instead of the SPEC's 503 for an unavailable database.
 */
export function lostConnection(error: unknown): unknown {
  if (error instanceof Error && error.name === 'QueryRunnerAlreadyReleasedError') {
    return new ServiceUnavailableError('database-unavailable', 'The database is unavailable.', 2, error);
  }
  return error;
}
