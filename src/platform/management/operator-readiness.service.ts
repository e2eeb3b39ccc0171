import { Injectable, Logger } from '@nestjs/common';
import { LifecycleState } from '../lifecycle';

/**
 * Lets an operator take this instance out of rotation (PUT /admin/readiness {"ready":false}) before a heap
 * snapshot: readiness answers 503 with `lifecycle: down` (`state: out-of-rotation`) until it is set back, so the
 * load balancer stops sending new requests while the process pauses. Liveness and serving are untouched.
 */
@Injectable()
export class OperatorReadiness {
  private readonly logger = new Logger('Management');

  constructor(private readonly state: LifecycleState) {}

  /** Whether the instance is in rotation (as far as the operator is concerned). */
  get ready(): boolean {
    return !this.state.outOfRotation;
  }

  set(ready: boolean, by: string): void {
    if (this.ready === ready) return;
    this.state.setOutOfRotation(!ready);
    this.logger.warn(`audit: readiness ${ready ? 'restored' : 'set to 503 (out of rotation)'} by ${by}`);
  }
}
