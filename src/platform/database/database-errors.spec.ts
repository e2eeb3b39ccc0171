import { QueryRunnerAlreadyReleasedError } from 'typeorm';
import { translateDatabaseError } from './database-errors';

function pgError(code: string, message = 'driver message with SELECT secret'): Error {
  return Object.assign(new Error(message), { code });
}

describe(translateDatabaseError.name, () => {
  it.each([
    ['pool acquire timeout', new Error('timeout exceeded when trying to connect'), 503, 'database-pool-exhausted'],
    ['statement timeout', pgError('57014'), 503, 'database-timeout'],
    ['client query timeout', new Error('Query read timeout'), 503, 'database-timeout'],
    ['refused connection', pgError('ECONNREFUSED'), 503, 'database-unavailable'],
    ['admin shutdown', pgError('57P01'), 503, 'database-unavailable'],
    ['connection exception class', pgError('08006'), 503, 'database-unavailable'],
    ['failed authentication', pgError('28P01'), 503, 'database-unavailable'],
    ['unknown database', pgError('3D000'), 503, 'database-unavailable'],
    ['lost connection', new Error('Connection terminated unexpectedly'), 503, 'database-unavailable'],
    [
      'query runner released when its connection failed mid-transaction',
      new QueryRunnerAlreadyReleasedError(),
      503,
      'database-unavailable',
    ],
    ['entity metadata before the DataSource is initialised', new Error('No metadata for "User" was found.'), 503, 'database-unavailable'],
    ['unique violation', pgError('23505'), 409, 'conflict'],
    ['invalid text representation', pgError('22P02'), 400, 'validation-error'],
  ])('maps %s to %i', (_name, error, status, slug) => {
    const problem = translateDatabaseError(error);
    expect(problem?.status).toBe(status);
    expect(problem?.toProblem().type).toBe(`urn:ballast:problem:${slug}`);
    expect(problem?.message).not.toContain('secret');
  });

  it('sets Retry-After on 503s', () => {
    expect(translateDatabaseError(pgError('57014'))?.options.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('leaves unknown errors to the generic 500', () => {
    expect(translateDatabaseError(new Error('boom'))).toBeUndefined();
    expect(translateDatabaseError('not an error')).toBeUndefined();
  });

  it('reads the code from a TypeORM QueryFailedError driverError', () => {
    expect(translateDatabaseError(Object.assign(new Error('x'), { driverError: { code: '57014' } }))?.status).toBe(503);
  });
});
