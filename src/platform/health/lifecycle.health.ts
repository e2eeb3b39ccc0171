import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { LifecycleState } from '../lifecycle/lifecycle-state.service';
import { HEALTH_KEY } from './health.constants';

/** Down from the first moment of shutdown, so load balancers stop sending while in-flight work drains. */
@Injectable()
export class LifecycleHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly state: LifecycleState,
  ) {}

  /** `lifecycle: up` while serving, `down` once shutdown began. */
  isServing(key: string = HEALTH_KEY.lifecycle): HealthIndicatorResult {
    const session = this.indicators.check(key);
    return this.state.shuttingDown ? session.down({ state: 'shutting-down' }) : session.up({ state: 'serving' });
  }
}
