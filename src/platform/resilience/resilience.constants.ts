/** Names of the permit pools the platform provides; features add their own with `ResilienceModule.forFeature`. */
export const PLATFORM_PERMITS = {
  /** Every database connection checkout made on behalf of a request (DB_PERMITS). */
  db: 'db',
  /** Outbound HTTP calls (EXTERNAL_API_PERMITS). */
  external: 'external',
} as const;

/** The DI token of the permit pool named `name`; use `@InjectPermits(name)` instead of the raw token. */
export function permitsToken(name: string): string {
  return `ballast:resilience:permits:${name}`;
}

/** Metadata key written by `@UsePermits()` and read by the permits interceptor. */
export const PERMITS_METADATA = 'ballast:resilience:permits';

/** Seconds a client is told to wait (`Retry-After`) after a capacity refusal (concurrency limit, permits). */
export const CAPACITY_RETRY_AFTER_SECONDS = 1;
