import { ValidationProblemError } from '../errors/problem.error';
import { decodeCursor, encodeCursor } from './cursor';

describe('pagination cursor', () => {
  it('round-trips an id', () => {
    const id = '01939e6a-1234-7000-8000-000000000abc';
    expect(decodeCursor(encodeCursor(id))).toBe(id);
  });

  it('refuses a cursor it did not produce with a validation problem', () => {
    expect(() => decodeCursor('Zm9v')).toThrow(ValidationProblemError);
  });
});
