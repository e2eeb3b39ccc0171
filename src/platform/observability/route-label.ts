import type { IncomingMessage } from 'node:http';

/** `route` label of requests no route matched: 404s, and requests refused at the edge before routing. */
export const UNMATCHED_ROUTE = 'unmatched';

/** `method` label of methods outside the standard set (Node's parser accepts a few dozen exotic ones). */
export const OTHER_METHOD = 'OTHER';

const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** A bounded `method` label value. */
export function methodLabel(method: string | undefined): string {
  return method !== undefined && STANDARD_METHODS.has(method) ? method : OTHER_METHOD;
}

/**
 * The route template that served the request (`/api/v1/users/:id`), read once the response is done; the
 * fixed {@link UNMATCHED_ROUTE} when none matched, so a scanner cannot grow the label set. Express records
 * the matched route on `req.route` (Nest mounts every handler on the app's router with its full path);
 * this is the one Express-specific read of the edge — an adapter swap changes this function only.
 */
export function routeLabel(req: IncomingMessage): string {
  const path = (req as IncomingMessage & { route?: { path?: unknown } }).route?.path;
  return typeof path === 'string' ? path : UNMATCHED_ROUTE;
}
