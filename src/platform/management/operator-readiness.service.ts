import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessRegistry } from '../health';

/** Key of the operator's readiness check in the /health/ready body. */
export const OPERATOR_READINESS_KEY = 'operator';

/**
 * Lets an operator take this instance out of rotation (PUT /admin/readiness {"ready":false}) before a heap
 * snapshot or a CPU profile: readiness answers 503 with `operator: down` until it is set back, so the load
 * balancer stops sending new requests while the process pauses. Liveness is untouched.
 */
@Injectable()
export class OperatorReadiness {
  private readonly logger = new Logger('Management');
  private unready = false;

  constructor(registry: ReadinessRegistry, indicators: HealthIndicatorService) {
    const down = () => indicators.check(OPERATOR_READINESS_KEY).down({ state: 'taken out of rotation by an operator' });
    // Listed only while set: the usual readiness body stays as it was.
    registry.registerMany(OPERATOR_READINESS_KEY, () => (this.unready ? [down] : []), 0);
  }

  /** Whether the operator marked the instance unready. */
  get ready(): boolean {
    return !this.unready;
  }

  set(ready: boolean, by: string): void {
    if (this.unready === !ready) return;
    this.unready = !ready;
    this.logger.warn(`audit: readiness ${ready ? 'restored' : 'set to 503 (out of rotation)'} by ${by}`);
  }
}
