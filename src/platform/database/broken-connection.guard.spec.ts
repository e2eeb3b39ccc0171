import { DatabaseError } from 'pg';
import { breaksConnection } from './broken-connection.guard';

function serverError(code: string): DatabaseError {
  const error = new DatabaseError('server said no', 0, 'error');
  error.code = code;
  return error;
}

describe(breaksConnection.name, () => {
  it('keeps a connection whose statement the server refused or cancelled', () => {
    for (const code of ['57014', '23505', '42P01', '22P02', '40001']) expect(breaksConnection(serverError(code))).toBe(false);
  });

  it('breaks a connection on a client query timeout, a socket error or a terminated connection', () => {
    expect(breaksConnection(new Error('Query read timeout'))).toBe(true);
    expect(breaksConnection(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(breaksConnection(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('breaks a connection on the server’s connection-level errors (class 08, 57P)', () => {
    for (const code of ['08006', '08P01', '57P01', '57P02', '57P03']) expect(breaksConnection(serverError(code))).toBe(true);
  });
});
