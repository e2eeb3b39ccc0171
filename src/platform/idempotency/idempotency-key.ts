import { createHash } from 'node:crypto';
import { KEY_PATTERN, MAX_KEY_LENGTH } from './idempotency.constants';
import { IdempotencyKeyInvalidError } from './idempotency.errors';

/**
 * The key from the header value, or undefined when absent. The draft defines the value as a Structured Field
 * string (`"abc"`); a bare token is accepted too, as most clients send one.
 * @throws IdempotencyKeyInvalidError
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header)) throw new IdempotencyKeyInvalidError();
  const key = header.length >= 2 && header.startsWith('"') && header.endsWith('"') ? header.slice(1, -1) : header;
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) throw new IdempotencyKeyInvalidError();
  return key;
}

/** The request's fingerprint: SHA-256 of method, path with query, and the parsed body re-serialised (same bytes, same JSON). */
export function fingerprintOf(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(method)
    .update('\n')
    .update(url)
    .update('\n')
    .update(body === undefined ? '' : JSON.stringify(body))
    .digest('base64url');
}
