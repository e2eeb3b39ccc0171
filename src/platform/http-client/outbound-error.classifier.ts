/** What went wrong with one attempt, as far as retries, the breaker and metrics care. */
export type AttemptFailureKind = 'connect_error' | 'timeout' | 'invalid_response';

/** No connection or a broken one: the request may not have been processed, an idempotent one may be repeated. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** The upstream took too long between bytes (undici's own backstop timers). */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** The upstream answered something this client will not use. */
const INVALID_RESPONSE_CODES = new Set([
  'UND_ERR_RES_EXCEEDED_MAX_SIZE',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_HEADERS_OVERFLOW',
  'UND_ERR_INFO',
]);

/**
 * Classifies an error thrown by undici (or the socket under it) by its `code`, looking one `cause` deep:
 * undici wraps some socket errors. `undefined`: not the upstream's doing (a programming error, an abort).
 */
export function classifyAttemptError(error: unknown): AttemptFailureKind | undefined {
  for (const candidate of [error, (error as { cause?: unknown } | undefined)?.cause]) {
    const code = (candidate as { code?: unknown } | undefined)?.code;
    if (typeof code !== 'string') continue;
    if (CONNECTION_CODES.has(code)) return 'connect_error';
    if (TIMEOUT_CODES.has(code)) return 'timeout';
    if (INVALID_RESPONSE_CODES.has(code) || code.startsWith('HPE_')) return 'invalid_response';
  }
  return undefined;
}
