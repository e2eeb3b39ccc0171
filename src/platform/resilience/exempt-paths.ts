/**
 * The platform's default exempt paths: health probes and metrics scrapes must keep answering at the limit,
 * or an overloaded pod is restarted or loses its monitoring.
 */
export const DEFAULT_EXEMPT_PATHS: readonly string[] = ['/health', '/metrics'];

/**
 * The one exempt-path rule, used by admission control, permits and the rate limiter: a path is exempt when it
 * equals a listed prefix or continues it with `/` or `?`, compared case-insensitively (Express routes
 * case-insensitively, so `/HEALTH/live` reaches the health controller too). Configured once, through
 * `ResilienceModule.forRoot({ exemptPaths })`.
 */
export class ExemptPaths {
  private readonly prefixes: readonly string[];

  constructor(paths: readonly string[] = DEFAULT_EXEMPT_PATHS) {
    this.prefixes = paths.map((path) => path.toLowerCase().replace(/\/+$/, '')).filter((path) => path.startsWith('/'));
  }

  /** Whether the request target `url` (path and query) is exempt. */
  matches(url: string): boolean {
    for (const prefix of this.prefixes) if (continuesPrefix(url, prefix)) return true;
    return false;
  }
}

/**
 * Hand-written compare rather than `url.toLowerCase()`: this runs for every request before anything else, and
 * allocates nothing (prefixes are lowercase already).
 */
function continuesPrefix(url: string, prefix: string): boolean {
  if (url.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    let code = url.charCodeAt(i);
    if (code >= 65 && code <= 90) code += 32;
    if (code !== prefix.charCodeAt(i)) return false;
  }
  if (url.length === prefix.length) return true;
  const next = url.charCodeAt(prefix.length);
  return next === 47 /* / */ || next === 63; /* ? */
}
