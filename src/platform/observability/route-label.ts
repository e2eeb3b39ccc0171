import type { IncomingMessage } from 'node:http';
import type { RouteTable } from './route-table';

/** `route` label of requests for paths no route matches (404s from scanners); SPEC: for nothing else. */
export const UNMATCHED_ROUTE = 'unmatched';

/** `method` label of methods outside the standard set (Node's parser accepts a few dozen exotic ones). */
export const OTHER_METHOD = 'OTHER';

const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** A bounded `method` label value. */
export function methodLabel(method: string | undefined): string {
  return method !== undefined && STANDARD_METHODS.has(method) ? method : OTHER_METHOD;
}

/**
 * The route template of the request (`/api/v1/users/:id`), read once the response is done; the fixed
 * {@link UNMATCHED_ROUTE} when no route matches its path, so a scanner cannot grow the label set.
 * Express records the matched route on `req.route` (Nest mounts every handler on the app's router with its
 * full path): with express-routes.ts, the only Express-specific reads of the edge — an adapter swap changes those.
 * A request answered before the router ran (an edge refusal: 400 malformed JSON, 413, 415, admission's 503)
 * has no `req.route`; then `routes` names the template the router would have chosen. That lookup runs only
 * for such refusals: not for admitted requests (they carry their route), and not for a 404 without a route,
 * which is by definition a path no route matched (a scanner's flood stays one property read per request).
 */
export function routeLabel(req: IncomingMessage, status?: number, routes?: RouteTable): string {
  const path = (req as IncomingMessage & { route?: { path?: unknown } }).route?.path;
  if (typeof path === 'string') return path;
  if (routes === undefined || status === 404) return UNMATCHED_ROUTE;
  return routes.templateOf(req.method, (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url) ?? UNMATCHED_ROUTE;
}
