import type { IncomingMessage, ServerResponse } from 'node:http';
import { UnsupportedMediaTypeException } from '@nestjs/common';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** Whether the request carries a body (a length above zero, or a chunked body). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/**
 * Refuses a request body that is not JSON with 415 before anything parses it: the JSON parser would
 * otherwise skip it silently and the handler would see an empty body. Plain Node middleware.
 */
export function jsonContentTypeMiddleware(req: IncomingMessage, _res: ServerResponse, next: (error?: unknown) => void): void {
  if (hasBody(req) && !JSON_TYPE.test(req.headers['content-type'] ?? '')) {
    next(new UnsupportedMediaTypeException());
    return;
  }
  next();
}
