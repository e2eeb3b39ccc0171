import { ValidationProblemError } from '../errors/problem.error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Encodes the last id of a page as an opaque cursor (ids are UUIDv7, so id order is creation order). */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

/** Decodes a cursor, refusing anything this API did not produce with a 400. */
export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!UUID.test(id)) {
    throw new ValidationProblemError('The cursor is not valid.', [
      { field: 'cursor', message: 'cursor must be a cursor returned by this API' },
    ]);
  }
  return id;
}
