import { pathToRegexp } from 'path-to-regexp';

/** One registered route: its template and the methods it answers (`*`: all). */
export interface RouteEntry {
  readonly template: string;
  readonly methods: readonly string[];
}

/** How the router compares paths (Express: `case sensitive routing`, `strict routing`; both off by default). */
export interface RouteMatching {
  readonly caseSensitive: boolean;
  readonly strict: boolean;
}

interface CompiledRoute {
  readonly template: string;
  readonly pattern: RegExp;
}

const TRAILING_SLASHES = /\/+$/;

/**
 * The application's routes, compiled once, to name the route of a request that was answered before the router
 * ran (an edge refusal: 400 malformed JSON, 413, 415, admission's 503), so that it keeps its template as its
 * `route` label. Admitted requests never come here: the router records their route itself. Templates are
 * compiled with path-to-regexp, Express 5's own matcher, with the router's options, so a path matches here
 * exactly when the router would have matched it; the first registered route wins, as in the router.
 */
export class RouteTable {
  private readonly byMethod = new Map<string, CompiledRoute[]>();
  private readonly anyMethod: CompiledRoute[] = [];

  constructor(routes: readonly RouteEntry[], matching: RouteMatching = { caseSensitive: false, strict: false }) {
    for (const { template, methods } of routes) {
      // As the router does: a non-strict route ignores trailing slashes on both sides.
      const source = matching.strict || template === '/' ? template : template.replace(TRAILING_SLASHES, '');
      const compiled = {
        template,
        pattern: pathToRegexp(source, { sensitive: matching.caseSensitive, end: true, trailing: !matching.strict }).regexp,
      };
      for (const method of methods) {
        if (method === '*') {
          this.anyMethod.push(compiled);
          continue;
        }
        const list = this.byMethod.get(method.toUpperCase()) ?? [];
        list.push(compiled);
        this.byMethod.set(method.toUpperCase(), list);
      }
    }
    // The router answers HEAD with the GET handler when a route has no HEAD of its own.
    const head = this.byMethod.get('HEAD') ?? [];
    this.byMethod.set('HEAD', [...head, ...(this.byMethod.get('GET') ?? []).filter((route) => !head.includes(route))]);
  }

  /** Number of (method, route) pairs: for the boot log and tests. */
  get size(): number {
    let size = this.anyMethod.length;
    for (const list of this.byMethod.values()) size += list.length;
    return size;
  }

  /** The template the router would have chosen for `method` and `url` (query string ignored), if any. */
  templateOf(method: string | undefined, url: string | undefined): string | undefined {
    if (method === undefined || url === undefined) return undefined;
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const first = this.firstMatch(this.byMethod.get(method), path);
    // Registration order decides between method-specific and all-method routes; here specific ones go first,
    // which only differs when both match the same path (Nest's @All next to a @Get on one path).
    return first ?? this.firstMatch(this.anyMethod, path);
  }

  private firstMatch(routes: readonly CompiledRoute[] | undefined, path: string): string | undefined {
    if (routes === undefined) return undefined;
    for (const route of routes) if (route.pattern.test(path)) return route.template;
    return undefined;
  }
}
