import type { Env } from './env.schema';

/** What a rule sees: the variables that passed their own checks, and whether the user set each one. */
export interface RuleInput<E = Env> {
  values: Partial<E>;
  /** True when the environment gave the variable a (non-blank) value; false when its default applies. */
  isSet(name: keyof E & string): boolean;
}

/**
 * A check across variables: it runs only when every variable it reads passed its own check. The platform's
 * are below; a feature's config fragment brings its own (`defineConfigFragment({ rules })`).
 */
export interface EnvRule<E = Env> {
  reads: ReadonlyArray<keyof E & string>;
  check(env: E, input: RuleInput<E>): string | undefined;
}

/** `DB_POOL_MIN (5)` when the user set it, `DB_POOL_MIN (default 5)` when the default applies. */
function shown<E>(input: RuleInput<E>, name: keyof E & string): string {
  return `${name} (${input.isSet(name) ? '' : 'default '}${String(input.values[name])})`;
}

/** The variable a problem is listed under: the first of `names` the user set (a default is never to blame alone). */
function subject<E>(input: RuleInput<E>, names: ReadonlyArray<keyof E & string>): keyof E & string {
  return names.find((name) => input.isSet(name)) ?? names[0];
}

/** `low` must stay below (or at) `high`; the message names both values and says which one is a default. */
export function ordered<E = Env>(low: keyof E & string, relation: '<' | '≤', high: keyof E & string, hint: string): EnvRule<E> {
  return {
    reads: [low, high],
    check(env, input) {
      const a = env[low] as unknown as number;
      const b = env[high] as unknown as number;
      if (relation === '<' ? a < b : a <= b) return undefined;
      return `${subject(input, [low, high])}: ${shown(input, low)} must be ${relation} ${shown(input, high)}; ${hint}`;
    },
  };
}

/** The rules between identity (AUTH_*) variables. */
const IDENTITY_RULES: EnvRule[] = [
  {
    reads: ['NODE_ENV', 'AUTH_DISABLED'],
    check: (env) =>
      env.NODE_ENV === 'production' && env.AUTH_DISABLED
        ? 'AUTH_DISABLED: must not be true when NODE_ENV=production (it lets every request through unauthenticated)'
        : undefined,
  },
  ...(['AUTH_ISSUER', 'AUTH_AUDIENCE'] as const).map((name): EnvRule => ({
    reads: ['AUTH_JWKS_URL', name],
    check: (env: Env) =>
      env.AUTH_JWKS_URL !== undefined && env[name] === ''
        ? `${name}: is required with AUTH_JWKS_URL (a token is checked against the issuer and audience it must carry)`
        : undefined,
  })),
  {
    reads: ['AUTH_JWKS_REFRESH_SECONDS', 'AUTH_JWKS_MAX_STALE_SECONDS'],
    check: (env) =>
      env.AUTH_JWKS_REFRESH_SECONDS > env.AUTH_JWKS_MAX_STALE_SECONDS
        ? `AUTH_JWKS_MAX_STALE_SECONDS: (${env.AUTH_JWKS_MAX_STALE_SECONDS}) must be ≥ AUTH_JWKS_REFRESH_SECONDS (${env.AUTH_JWKS_REFRESH_SECONDS}); keys are kept at least until the next refresh`
        : undefined,
  },
];

/** The rules between variables. A variable that failed its own check is already listed; its rules are skipped. */
const RULES: EnvRule[] = [
  {
    reads: ['NODE_ENV', 'DATABASE_URL'],
    check: (env) =>
      env.NODE_ENV === 'production' && !env.DATABASE_URL
        ? 'DATABASE_URL: is required when NODE_ENV=production (the embedded PostgreSQL is for development only)'
        : undefined,
  },
  {
    reads: ['PORT', 'MANAGEMENT_PORT'],
    check: (env) =>
      env.MANAGEMENT_PORT !== undefined && env.MANAGEMENT_PORT === env.PORT
        ? `MANAGEMENT_PORT: ${env.MANAGEMENT_PORT} is also PORT; expected another port (or unset: management on PORT)`
        : undefined,
  },
  ordered('DB_POOL_MIN', '≤', 'DB_POOL_MAX', 'the pool cannot keep more connections warm than it may open'),
  ordered('HTTP_CONCURRENCY_LIMIT_MIN', '≤', 'HTTP_CONCURRENCY_LIMIT_MAX', 'the adaptive limit moves between the two'),
  // Node >= 18 times headers from a request's first byte, so idle keep-alive time no longer counts against
  // headersTimeout; the rule is kept as the load-balancer guides state it (see docs/security.md).
  ordered(
    'HTTP_KEEP_ALIVE_TIMEOUT_MS',
    '<',
    'HTTP_HEADERS_TIMEOUT_MS',
    'expected HTTP_KEEP_ALIVE_TIMEOUT_MS < HTTP_HEADERS_TIMEOUT_MS ≤ HTTP_REQUEST_TIMEOUT_MS',
  ),
  ordered('HTTP_HEADERS_TIMEOUT_MS', '≤', 'HTTP_REQUEST_TIMEOUT_MS', 'the whole request cannot arrive before its headers'),
  ...IDENTITY_RULES,
];

/** Every problem `rules` find, each as `NAME: message`; a rule runs only when every variable it reads is valid. */
export function ruleProblems<E>(rules: ReadonlyArray<EnvRule<E>>, input: RuleInput<E>): string[] {
  const problems: string[] = [];
  for (const rule of rules) {
    if (!rule.reads.every((name) => name in input.values)) continue;
    const problem = rule.check(input.values as E, input);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

/** Every cross-variable problem of the platform's variables, each as `NAME: message`. */
export function crossVariableProblems(input: RuleInput): string[] {
  return ruleProblems(RULES, input);
}
