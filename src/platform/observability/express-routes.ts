import type { RouteEntry, RouteMatching } from './route-table';

interface ExpressRouteLayer {
  route?: { path?: unknown; methods?: Record<string, boolean> };
}
interface ExpressAppLike {
  router?: { stack?: unknown };
  enabled?: (setting: string) => boolean;
}

/** The routes Express holds and how it matches them; undefined when the app does not look like Express 5. */
export interface ExpressRoutes {
  routes: RouteEntry[];
  matching: RouteMatching;
}

/**
 * The routes Nest registered on Express, read from the app's router (`app.router`, public in Express 5; its
 * `stack` of layers with `route.path` / `route.methods` is not documented, but is what route-listing tools
 * read). The one read of Express internals for route labels, here alone: there is no public API that lists an
 * Express app's routes, and Nest's own route list (RoutesResolver) is internal too. Returns undefined when the
 * shape is not what Express 5 has; the caller then warns at boot and labels edge refusals `unmatched`.
 * express-routes.spec.ts reads a real Express app, so an Express upgrade that changes the shape fails there.
 */
export function expressRoutes(app: unknown): ExpressRoutes | undefined {
  const express = app as ExpressAppLike | undefined;
  const stack = express?.router?.stack;
  if (!Array.isArray(stack) || typeof express?.enabled !== 'function') return undefined;
  const routes: RouteEntry[] = [];
  for (const layer of stack as ExpressRouteLayer[]) {
    const route = layer?.route;
    if (route === undefined) continue;
    if (typeof route.path !== 'string' || typeof route.methods !== 'object' || route.methods === null) return undefined;
    const methods = Object.keys(route.methods)
      .filter((method) => route.methods?.[method])
      .map((method) => (method === '_all' ? '*' : method.toUpperCase()));
    routes.push({ template: route.path, methods });
  }
  return { routes, matching: { caseSensitive: express.enabled('case sensitive routing'), strict: express.enabled('strict routing') } };
}
