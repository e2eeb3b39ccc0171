import { benchIdentityEnv } from './identity';

/**
 * Ballast's production settings for the benches (run.ts, profile.ts): the rate limit high enough never to
 * reject, the whole pool opened at boot, permits on but never the bottleneck. `extra` overrides.
 */
export function ballastEnv(
  databaseUrl: string,
  pool: string,
  connections: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    RATE_LIMIT_PER_SECOND: '1000000',
    RATE_LIMIT_BURST: '1000000',
    LOG_LEVEL: 'info',
    DB_POOL_MAX: pool,
    DB_POOL_MIN: pool,
    // Permits on (every checkout takes one) but above the bench's connections: a permit is returned a moment
    // after the response, so DB_PERMITS = connections (its default, 50) sheds a few requests.
    DB_PERMITS: String(Math.max(50, connections * 2)),
    // Authentication on, as in production: a JWT verified against the bench's own JWKS (bench/lib/identity.ts).
    ...benchIdentityEnv(),
    ...extra,
  };
}
