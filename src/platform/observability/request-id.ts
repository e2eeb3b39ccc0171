import { randomUUID } from 'node:crypto';

/** Header carrying the request id, in both directions. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Longest incoming request id kept; longer ones are replaced (a UUID is 36 characters). @default 128 */
export const REQUEST_ID_MAX_LENGTH = 128;

// Letters, digits and `_ - . : / + =` only: safe to echo in a header and to write into a log line, and
// wide enough for UUIDs, ULIDs, base64 ids and the ids of common proxies (`Root=1-…` excepted: it holds `;`).
const SAFE_REQUEST_ID = new RegExp(`^[\\w.:/+=-]{1,${REQUEST_ID_MAX_LENGTH}}$`);

/**
 * The request id to use: the client's `X-Request-Id` when it is one sane value (bounded length, safe
 * characters, not repeated — Node joins repeated headers with `, `), otherwise a new UUIDv4.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}
