import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURES } from '../features';
import { collectFeatures } from '../platform/composition';
import { defineConfigFragment } from './config-fragment';
import { intVar, urlVar } from './env.helpers';
import { ordered } from './env.rules';
import { ConfigValidationError, envVariables, loadConfig } from './load-config';

function problemsOf(env: Record<string, string>, fragments: Parameters<typeof loadConfig>[1] = []): string[] {
  try {
    loadConfig(env, fragments);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigValidationError');
}

describe(loadConfig.name, () => {
  it('applies the SPEC defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config.app).toMatchObject({ port: 3000, host: '0.0.0.0', env: 'development' });
    expect(config.database).toMatchObject({
      url: undefined,
      poolMax: 20,
      poolMin: 5,
      acquireTimeoutMs: 3000,
      idleTimeoutMs: 600_000,
      maxLifetimeMs: 1_800_000,
      statementTimeoutMs: 5000,
    });
    expect(config.resilience).toMatchObject({ dbPermits: 50, externalPermits: 20, httpConcurrencyLimit: 1000, requestTimeoutMs: 30_000 });
    expect(config.rateLimit).toMatchObject({ perSecond: 10, burst: 30, redisUrl: undefined, trustProxy: 'false' });
    expect(config.outbound).toEqual({ timeoutMs: 30_000, connectTimeoutMs: 5000, maxConnectionsPerHost: 10 });
    expect(config.shutdown).toEqual({ delayMs: 0, drainTimeoutMs: 30_000, closeTimeoutMs: 5000 });
    expect(config.health).toEqual({ dbTimeoutMs: 1000, cacheTtlMs: 1000 });
    expect(config.log.level).toBe('info');
  });

  it('lists every invalid variable at once, naming the accepted range', () => {
    const problems = problemsOf({ PORT: '99999', DB_POOL_MAX: 'abc', LOG_LEVEL: 'loud', RATE_LIMIT_BURST: '0' });
    expect(problems).toHaveLength(4);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: 99999 is out of range; expected an integer from 0 to 65535/),
        expect.stringMatching(/^DB_POOL_MAX: "abc" is not an integer; expected an integer from 1 to 1000/),
        expect.stringMatching(/^LOG_LEVEL: .*expected one of fatal, error, warn, info/),
        expect.stringMatching(/^RATE_LIMIT_BURST: 0 is out of range/),
      ]),
    );
  });

  it('refuses production without DATABASE_URL', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^DATABASE_URL: is required when NODE_ENV=production/)]);
  });

  it('refuses a pool minimum above the maximum', () => {
    expect(problemsOf({ DB_POOL_MAX: '2', DB_POOL_MIN: '5' })).toEqual([
      'DB_POOL_MIN: DB_POOL_MIN (5) must be ≤ DB_POOL_MAX (2); the pool cannot keep more connections warm than it may open',
    ]);
  });

  it('says a value is the default when the user did not set it, and lists the problem under the variable they set', () => {
    expect(problemsOf({ DB_POOL_MAX: '2' })).toEqual([
      expect.stringMatching(/^DB_POOL_MAX: DB_POOL_MIN \(default 5\) must be ≤ DB_POOL_MAX \(2\)/),
    ]);
    expect(problemsOf({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '70000' })).toEqual([
      expect.stringMatching(
        /^HTTP_KEEP_ALIVE_TIMEOUT_MS: HTTP_KEEP_ALIVE_TIMEOUT_MS \(70000\) must be < HTTP_HEADERS_TIMEOUT_MS \(default 66000\)/,
      ),
    ]);
  });

  it('lists every bad variable when per-variable and cross-variable checks mix', () => {
    expect(problemsOf({ DB_POOL_MAX: '0', RATE_LIMIT_BURST: 'abc', TRUST_PROXY: 'true' })).toEqual([
      expect.stringMatching(/^DB_POOL_MAX: 0 is out of range; expected an integer from 1 to 1000/),
      expect.stringMatching(/^RATE_LIMIT_BURST: "abc" is not an integer/),
      expect.stringMatching(/^TRUST_PROXY: "true" trusts any X-Forwarded-For \(spoofable\)/),
    ]);
    expect(problemsOf({ NODE_ENV: 'production', DB_POOL_MAX: '0' })).toEqual([
      expect.stringMatching(/^DB_POOL_MAX: 0 is out of range/),
      expect.stringMatching(/^DATABASE_URL: is required when NODE_ENV=production/),
    ]);
    expect(problemsOf({ NODE_ENV: 'production', DB_POOL_MAX: '2', TRUST_PROXY: '10.0.0.0/33', LOG_LEVEL: 'loud' })).toEqual([
      expect.stringMatching(/^TRUST_PROXY: "10.0.0.0\/33" is not an address/),
      expect.stringMatching(/^LOG_LEVEL: /),
      expect.stringMatching(/^DATABASE_URL: is required when NODE_ENV=production/),
      expect.stringMatching(/^DB_POOL_MAX: DB_POOL_MIN \(default 5\) must be ≤ DB_POOL_MAX \(2\)/),
    ]);
  });

  it('skips a rule whose variable is already refused on its own (one message per mistake)', () => {
    expect(problemsOf({ DB_POOL_MAX: 'two', DB_POOL_MIN: '5' })).toEqual([expect.stringMatching(/^DB_POOL_MAX: "two" is not an integer/)]);
  });

  it('reads PROTECTIONS_DISABLED as a list and refuses unknown protections', () => {
    expect(loadConfig({}).protections.disabled).toEqual([]);
    expect(loadConfig({ PROTECTIONS_DISABLED: 'rate_limit, db_permits' }).protections.disabled).toEqual(['rate_limit', 'db_permits']);
    expect(problemsOf({ PROTECTIONS_DISABLED: 'rate_limit,firewall' })).toEqual([
      expect.stringMatching(/^PROTECTIONS_DISABLED: .*expected a comma-separated list of rate_limit, http_metrics, db_permits/),
    ]);
  });

  it('refuses TRUST_PROXY=true as spoofable', () => {
    expect(problemsOf({ TRUST_PROXY: 'true' })).toEqual([expect.stringMatching(/^TRUST_PROXY: .*spoofable/)]);
  });

  it('never echoes a URL (it may hold a password)', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://admin:s3cret@db/x', REDIS_URL: 'not a url s3cret' });
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).not.toContain('s3cret');
  });

  it('accepts valid overrides', () => {
    const config = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://u:p@db:5432/app', DB_RUN_MIGRATIONS: 'false', TRUST_PROXY: '1' });
    expect(config.app.port).toBe(8080);
    expect(config.database.url).toBe('postgres://u:p@db:5432/app');
    expect(config.database.runMigrations).toBe(false);
  });

  it('applies the documented HTTP server and security defaults', () => {
    const config = loadConfig({});
    expect(config.httpServer).toEqual({
      headersTimeoutMs: 66_000,
      requestTimeoutMs: 90_000,
      keepAliveTimeoutMs: 65_000,
      maxHeaderSize: 16_384,
      maxConnections: 10_000,
      listenBacklog: 4096,
    });
    expect(config.security).toEqual({ corsOrigins: [], hstsMaxAgeSeconds: 31_536_000 });
  });

  it('refuses a headers timeout not above the keep-alive timeout, or above the request timeout', () => {
    expect(problemsOf({ HTTP_HEADERS_TIMEOUT_MS: '65000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000' })).toEqual([
      expect.stringMatching(
        /^HTTP_KEEP_ALIVE_TIMEOUT_MS: HTTP_KEEP_ALIVE_TIMEOUT_MS \(65000\) must be < HTTP_HEADERS_TIMEOUT_MS \(65000\)/,
      ),
    ]);
    expect(problemsOf({ HTTP_HEADERS_TIMEOUT_MS: '100000', HTTP_REQUEST_TIMEOUT_MS: '90000' })).toEqual([
      expect.stringMatching(
        /^HTTP_HEADERS_TIMEOUT_MS: HTTP_HEADERS_TIMEOUT_MS \(100000\) must be ≤ HTTP_REQUEST_TIMEOUT_MS \(90000\); the whole request cannot arrive before its headers/,
      ),
    ]);
  });

  it('accepts CORS_ORIGINS as a list of exact origins or a lone *, and refuses anything else', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' }).security.corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
    ]);
    expect(loadConfig({ CORS_ORIGINS: '*' }).security.corsOrigins).toEqual(['*']);
    expect(problemsOf({ CORS_ORIGINS: 'https://app.example.com/, example.com' })).toEqual([
      expect.stringMatching(/^CORS_ORIGINS: "https:\/\/app.example.com\/", "example.com" is not an origin/),
    ]);
    expect(problemsOf({ CORS_ORIGINS: '*, https://app.example.com' })).toEqual([
      expect.stringMatching(/^CORS_ORIGINS: "\*" must stand alone/),
    ]);
  });

  it("is documented: .env.example lists every variable of the platform and of each feature's config fragment, and no other", () => {
    const example = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');
    const documented = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect(new Set(documented)).toEqual(new Set(Object.keys(envVariables(collectFeatures(FEATURES).configFragments))));
  });

  describe('feature config fragments', () => {
    const orders = defineConfigFragment({
      namespace: 'orders',
      schema: { ORDERS_BATCH_MIN: intVar(1, 1, 100), ORDERS_BATCH_MAX: intVar(10, 1, 100), ORDERS_WEBHOOK_URL: urlVar(['https:']) },
      rules: [ordered('ORDERS_BATCH_MIN', '≤', 'ORDERS_BATCH_MAX', 'a batch cannot be smaller than its minimum')],
      toConfig: (env) => ({ batch: { min: env.ORDERS_BATCH_MIN, max: env.ORDERS_BATCH_MAX }, webhookUrl: env.ORDERS_WEBHOOK_URL }),
    });

    it("adds a typed namespace with the fragment's defaults", () => {
      const config = loadConfig({}, [orders]) as unknown as Record<string, unknown>;
      expect(config['orders']).toEqual({ batch: { min: 1, max: 10 }, webhookUrl: undefined });
      expect(config['app']).toMatchObject({ port: 3000 });
    });

    it("lists a fragment's problems together with the platform's, its own rules included, without echoing URLs", () => {
      expect(problemsOf({ PORT: '99999', ORDERS_BATCH_MAX: 'ten', ORDERS_WEBHOOK_URL: 'http://u:s3cret@hooks' }, [orders])).toEqual([
        expect.stringMatching(/^PORT: 99999 is out of range/),
        expect.stringMatching(/^ORDERS_BATCH_MAX: "ten" is not an integer; expected an integer from 1 to 100/),
        expect.stringMatching(/^ORDERS_WEBHOOK_URL: has protocol "http:"; expected https:/),
      ]);
      expect(problemsOf({ ORDERS_BATCH_MIN: '20', DB_POOL_MAX: '2' }, [orders])).toEqual([
        expect.stringMatching(/^DB_POOL_MAX: DB_POOL_MIN \(default 5\) must be ≤ DB_POOL_MAX \(2\)/),
        'ORDERS_BATCH_MIN: ORDERS_BATCH_MIN (20) must be ≤ ORDERS_BATCH_MAX (default 10); a batch cannot be smaller than its minimum',
      ]);
      expect(problemsOf({ ORDERS_WEBHOOK_URL: 'http://u:s3cret@hooks' }, [orders]).join('\n')).not.toContain('s3cret');
    });

    it("ignores a fragment's variables when the fragment is not loaded (the platform alone)", () => {
      expect(() => loadConfig({ ORDERS_BATCH_MAX: 'ten' })).not.toThrow();
    });

    it('refuses two owners of one variable or one namespace (a programming error, not a ConfigValidationError)', () => {
      const again = defineConfigFragment({ namespace: 'orders', schema: {}, toConfig: () => ({}) });
      expect(() => loadConfig({}, [orders, again])).toThrow('config namespace "orders" is declared by two fragments');
      const stealsPort = defineConfigFragment({ namespace: 'billing', schema: { PORT: intVar(1, 1, 2) }, toConfig: () => ({}) });
      expect(() => loadConfig({}, [stealsPort])).toThrow(/^PORT is declared twice/);
      const platformName = defineConfigFragment({ namespace: 'database', schema: {}, toConfig: () => ({}) });
      expect(() => loadConfig({}, [platformName])).toThrow('config namespace "database" is the platform\'s');
    });
  });
});
