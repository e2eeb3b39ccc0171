import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { LifecycleState } from '../lifecycle/lifecycle-state.service';
import { HEALTH_KEY } from './health.constants';

/**
 * Down from the first moment of shutdown, so load balancers stop sending while in-flight work drains; down too
 * while an operator took the instance out of rotation (management's PUT /admin/readiness).
 */
@Injectable()
export class LifecycleHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly state: LifecycleState,
  ) {}

  /** `lifecycle: up` while serving, `down` once shutdown began or while out of rotation. */
  isServing(key: string = HEALTH_KEY.lifecycle): HealthIndicatorResult {
    const session = this.indicators.check(key);
    if (this.state.shuttingDown) return session.down({ state: 'shutting-down' });
    return this.state.outOfRotation ? session.down({ state: 'out-of-rotation' }) : session.up({ state: 'serving' });
  }
}
