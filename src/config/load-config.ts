import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AllConfig, toAppConfig } from './app-config';
import { envSchema } from './env.schema';
import { parseTrustProxy } from './trust-proxy';

/** Raised when the environment is invalid; lists every problem at once. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = ConfigValidationError.name;
  }
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * Validates the environment once and returns the typed configuration.
 * Throws {@link ConfigValidationError} naming every bad variable; values are never echoed for URLs.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AllConfig {
  const result = envSchema.safeParse(env);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  } else {
    const e = result.data;
    if (e.NODE_ENV === 'production' && !e.DATABASE_URL) {
      problems.push('DATABASE_URL: is required when NODE_ENV=production (the embedded PostgreSQL is for development only)');
    }
    if (e.DB_POOL_MIN > e.DB_POOL_MAX) {
      problems.push(`DB_POOL_MIN: ${e.DB_POOL_MIN} exceeds DB_POOL_MAX (${e.DB_POOL_MAX}); expected 0 to DB_POOL_MAX`);
    }
    if (e.HTTP_CONCURRENCY_LIMIT_MIN > e.HTTP_CONCURRENCY_LIMIT_MAX) {
      problems.push(`HTTP_CONCURRENCY_LIMIT_MIN: ${e.HTTP_CONCURRENCY_LIMIT_MIN} exceeds HTTP_CONCURRENCY_LIMIT_MAX (${e.HTTP_CONCURRENCY_LIMIT_MAX}); expected 1 to HTTP_CONCURRENCY_LIMIT_MAX`);
    }
    // Node >= 18 times headers from a request's first byte, so idle keep-alive time no longer counts against
    // headersTimeout; the rule is kept as the load-balancer guides state it (see docs/security.md).
    if (e.HTTP_HEADERS_TIMEOUT_MS <= e.HTTP_KEEP_ALIVE_TIMEOUT_MS) {
      problems.push(`HTTP_HEADERS_TIMEOUT_MS: ${e.HTTP_HEADERS_TIMEOUT_MS} must exceed HTTP_KEEP_ALIVE_TIMEOUT_MS (${e.HTTP_KEEP_ALIVE_TIMEOUT_MS}); expected HTTP_KEEP_ALIVE_TIMEOUT_MS+1 to HTTP_REQUEST_TIMEOUT_MS`);
    }
    if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
      problems.push(`HTTP_REQUEST_TIMEOUT_MS: ${e.HTTP_REQUEST_TIMEOUT_MS} is below HTTP_HEADERS_TIMEOUT_MS (${e.HTTP_HEADERS_TIMEOUT_MS}); the whole request cannot arrive before its headers`);
    }
    if (e.TRUST_PROXY.toLowerCase() === 'true') {
      problems.push('TRUST_PROXY: "true" trusts any X-Forwarded-For (spoofable); expected false, a hop count, or a list of proxy addresses/subnets');
    } else {
      try {
        parseTrustProxy(e.TRUST_PROXY);
      } catch (error) {
        problems.push(`TRUST_PROXY: ${(error as Error).message}; expected false, a hop count, or a list of proxy addresses/subnets`);
      }
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigValidationError(problems);
  return toAppConfig(result.data, packageVersion());
}
