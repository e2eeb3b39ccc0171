/**
 * Prefixes only Ballast's variables use: an unknown variable with one of them is almost surely a typo. Prefixes
 * shared with the rest of the world (HTTP_PROXY, NODE_OPTIONS, OTEL_* read by the OpenTelemetry SDK itself) are
 * not listed; a close spelling of a known name is caught by the distance rule instead.
 */
const BALLAST_PREFIXES = [
  'DB_',
  'RATE_LIMIT_',
  'SHED_',
  'SHUTDOWN_',
  'OUTBOUND_',
  'HEALTH_',
  'IDEMPOTENCY_',
  'EMBEDDED_POSTGRES_',
  'HTTP_CONCURRENCY_',
  'AUTH_',
  'MANAGEMENT_',
  'BALLAST_',
];

/** Names shorter than this are compared by prefix only: HOME is two edits from HOST. */
const MIN_LENGTH_FOR_DISTANCE = 8;
const MAX_DISTANCE = 2;

/** Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * One warning per environment variable that looks like one of Ballast's but is none (`RATE_LIMT_BURST`,
 * `DB_POOL_MAXX`): the value would otherwise be ignored in silence and the default used. Names the closest known
 * variable. Upper-case names only: npm and the shell set many lower-case ones.
 */
export function unknownVariableWarnings(env: NodeJS.ProcessEnv, known: Iterable<string>): string[] {
  const names = new Set(known);
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (names.has(name) || !/^[A-Z][A-Z0-9_]*$/.test(name)) continue;
    let closest = '';
    let distance = Infinity;
    for (const candidate of names) {
      const d = editDistance(name, candidate);
      if (d < distance) [closest, distance] = [candidate, d];
    }
    const prefixed = BALLAST_PREFIXES.some((prefix) => name.startsWith(prefix));
    const close = name.length >= MIN_LENGTH_FOR_DISTANCE && distance <= MAX_DISTANCE;
    if (!prefixed && !close) continue;
    const hint =
      distance <= Math.max(MAX_DISTANCE, Math.floor(name.length / 3)) ? `did you mean ${closest}?` : 'no variable of that name exists';
    warnings.push(`${name} is set but is not a Ballast variable and is ignored: ${hint} (every variable is in .env.example)`);
  }
  return warnings;
}
