import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessRegistry } from '../platform/health';

/** Time the check may take before readiness reads it as down. */
const TIMEOUT_MS = 500;

/**
 * The __entities_words__ feature's part of /health/ready (key `__entities__`), registered in the health
 * module's readiness registry. Fail readiness only for what a restart or leaving the rotation fixes, never for
 * a dependency every pod shares (it would pull them all out at once); keep driver messages out of the details.
 */
@Injectable()
export class __Entities__Readiness {
  constructor(
    private readonly indicators: HealthIndicatorService,
    registry: ReadinessRegistry,
  ) {
    registry.register('__entities__', () => this.check());
  }

  /** Up when `probe` resolves within TIMEOUT_MS. */
  async check(): Promise<HealthIndicatorResult> {
    return await this.indicators
      .check('__entities__')
      .attempt(({ signal }) => this.probe(signal))
      .withTimeout(TIMEOUT_MS);
  }

  /** What the feature cannot serve without (a local cache warmed, a file loaded); replace this. */
  private async probe(_signal: AbortSignal): Promise<void> {}
}
