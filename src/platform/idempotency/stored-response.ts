import type { ServerResponse } from 'node:http';
import { IDEMPOTENCY_REPLAYED_HEADER, STORED_HEADERS } from './idempotency.constants';

/** An outcome as stored and replayed. */
export interface StoredResponse {
  status: number;
  /** Lower-case names from STORED_HEADERS that the response had. */
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Which outcomes are final (stored and replayed): 2xx–4xx except 408 (timeout), 409 (conflict, possibly transient —
 * including our own in-progress answer), 425 and 429 (come back later). 5xx — 500, 503, 504 — is not stored: the retry
 * runs again, which is safe because a failed transaction wrote nothing.
 */
export function isFinalStatus(status: number): boolean {
  return status >= 200 && status < 500 && status !== 408 && status !== 409 && status !== 425 && status !== 429;
}

/** Sends a stored outcome again: status, stored headers, the same bytes, and the replay marker. */
export function replay(res: ServerResponse, stored: StoredResponse): string | undefined {
  res.statusCode = stored.status;
  for (const [name, value] of Object.entries(stored.headers)) res.setHeader(name, value);
  res.setHeader(IDEMPOTENCY_REPLAYED_HEADER, 'true');
  return stored.body.length > 0 ? stored.body.toString('utf8') : undefined;
}

/** The handler's outcome as it will be sent: the body serialised here (as Express would), so the stored bytes are the sent ones. */
export function responseOf(res: ServerResponse, value: unknown): StoredResponse {
  const text = typeof value === 'string';
  const body = value === undefined ? Buffer.alloc(0) : Buffer.from(text ? value : JSON.stringify(value));
  const headers = pickHeaders(res);
  if (value !== undefined && headers['content-type'] === undefined)
    headers['content-type'] = text ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8';
  return { status: res.statusCode, headers, body };
}

/** The STORED_HEADERS the response has, lower-case. */
export function pickHeaders(res: ServerResponse): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = res.getHeader(name);
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return headers;
}
