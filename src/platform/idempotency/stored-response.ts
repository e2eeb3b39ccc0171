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
