import { fingerprintOf, parseIdempotencyKey } from './idempotency-key';
import { IdempotencyKeyInvalidError } from './idempotency.errors';
import { isFinalStatus } from './stored-response';

describe('parseIdempotencyKey', () => {
  it('is undefined without the header', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });

  it('accepts a bare token and a Structured Field string', () => {
    expect(parseIdempotencyKey('8e03978e-40d5-43e8-bc93-6894a57f9324')).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(parseIdempotencyKey('"abc:123/x+y="')).toBe('abc:123/x+y=');
    expect(parseIdempotencyKey('k'.repeat(255))).toHaveLength(255);
  });

  it.each([[''], ['""'], ['k'.repeat(256)], ['a b'], ['a,b'], ['a\\b'], ['é'], ['a\tb']])('refuses %j with 400', (value) => {
    expect(() => parseIdempotencyKey(value)).toThrow(IdempotencyKeyInvalidError);
  });

  it('refuses a repeated header', () => {
    expect(() => parseIdempotencyKey(['a', 'b'])).toThrow(IdempotencyKeyInvalidError);
  });
});

describe('fingerprintOf', () => {
  it('differs by method, path and body, and is stable for the same request', () => {
    const base = fingerprintOf('POST', '/api/v1/users', { email: 'a@example.com' });
    expect(fingerprintOf('POST', '/api/v1/users', { email: 'a@example.com' })).toBe(base);
    expect(fingerprintOf('PUT', '/api/v1/users', { email: 'a@example.com' })).not.toBe(base);
    expect(fingerprintOf('POST', '/api/v1/users?x=1', { email: 'a@example.com' })).not.toBe(base);
    expect(fingerprintOf('POST', '/api/v1/users', { email: 'b@example.com' })).not.toBe(base);
  });
});

describe('isFinalStatus (the stored-outcome policy)', () => {
  it('stores 2xx and 4xx except 408/409/425/429; never 5xx', () => {
    expect([200, 201, 204, 400, 404, 422].every(isFinalStatus)).toBe(true);
    expect([408, 409, 425, 429, 500, 502, 503, 504].some(isFinalStatus)).toBe(false);
  });
});
