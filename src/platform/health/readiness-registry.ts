import { Injectable } from '@nestjs/common';
import type { HealthIndicatorFunction } from '@nestjs/terminus';

/** A contribution to /health/ready: checks listed afresh at every probe (a registry may grow after start). */
interface ReadinessContribution {
  readonly source: string;
  readonly order: number;
  readonly checks: () => ReadonlyArray<HealthIndicatorFunction>;
}

/**
 * Where a contribution runs among the others (lower first; equal: registration order), so the health body
 * lists its keys in the same order whatever order Nest builds the modules in: the platform's dependencies
 * first, then the features'.
 */
export const READINESS_ORDER = { database: 10, upstreams: 20, feature: 100 } as const;

/**
 * The checks /health/ready runs besides the process' own lifecycle: the health module knows no dependency;
 * each module that owns one registers its check here (the database module its `SELECT 1`, the HTTP client
 * each upstream registered with `affectsReadiness`, a feature whatever it cannot serve without). Checks run
 * by {@link READINESS_ORDER}, then registration order, and are skipped once shutdown began. Each check keeps its own short timeout
 * (terminus `attempt().withTimeout()`) and never puts a driver message in its details.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly contributions: ReadinessContribution[] = [];

  /** Adds one check under `source` (a name for the log and for duplicates). */
  register(source: string, check: HealthIndicatorFunction, order: number = READINESS_ORDER.feature): void {
    this.registerMany(source, () => [check], order);
  }

  /** Adds a changing list of checks (e.g. one per registered upstream), asked at every probe. */
  registerMany(source: string, checks: () => ReadonlyArray<HealthIndicatorFunction>, order: number = READINESS_ORDER.feature): void {
    if (this.contributions.some((c) => c.source === source)) throw new Error(`readiness check "${source}" is registered twice`);
    const at = this.contributions.findIndex((c) => c.order > order);
    this.contributions.splice(at === -1 ? this.contributions.length : at, 0, { source, order, checks });
  }

  /** The registered sources, in order. */
  get sources(): string[] {
    return this.contributions.map((c) => c.source);
  }

  /** Every check to run for one probe. */
  checks(): HealthIndicatorFunction[] {
    return this.contributions.flatMap((c) => c.checks());
  }
}
