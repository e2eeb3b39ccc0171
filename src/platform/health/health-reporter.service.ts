import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { type HealthCheckResult, HealthCheckService, type HealthIndicatorFunction, HealthIndicatorService } from '@nestjs/terminus';
import type { AllConfig } from '../../config/app-config';
import { LifecycleState } from '../lifecycle/lifecycle-state.service';
import { HEALTH_KEY } from './health.constants';
import type { HealthReport } from './health-report';
import { LifecycleHealthIndicator } from './lifecycle.health';
import { ReadinessRegistry } from './readiness-registry';

/** A readiness answer: the report and whether it is healthy (200) or not (503). */
export interface ReadinessAnswer {
  ok: boolean;
  report: HealthReport;
}

/**
 * Builds the liveness and readiness reports, wherever they are served: the health controller on the main port,
 * or the management listener (platform/management) when MANAGEMENT_PORT is set. One implementation, two doors.
 */
@Injectable()
export class HealthReporter {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly lifecycle: LifecycleHealthIndicator,
    private readonly state: LifecycleState,
    private readonly config: ConfigService<AllConfig, true>,
    private readonly readiness: ReadinessRegistry,
  ) {}

  /**
   * Up while the event loop runs; touches no dependency, so a database outage never restarts the pod.
   * Built here rather than through HealthCheckService: terminus turns every check into `shutting_down`
   * (503) once Nest's shutdown hooks run, and liveness must stay 200 until the process exits.
   */
  live(): HealthReport {
    const details = this.indicators.check(HEALTH_KEY.process).up({ uptimeSeconds: Math.round(process.uptime()) });
    return this.withVersion({ status: 'ok', info: details, error: {}, details });
  }

  /**
   * Ready when the service is not shutting down and every check in the {@link ReadinessRegistry} is up (the
   * database's `SELECT 1`, every upstream registered with `affectsReadiness`, a feature's own). During shutdown
   * no dependency is asked at all.
   */
  async ready(): Promise<ReadinessAnswer> {
    const checks: HealthIndicatorFunction[] = [() => this.lifecycle.isServing()];
    if (!this.state.shuttingDown) checks.push(...this.readiness.checks());
    try {
      return { ok: true, report: this.withVersion(await this.health.check(checks)) };
    } catch (error) {
      if (error instanceof ServiceUnavailableException)
        return { ok: false, report: this.withVersion(error.getResponse() as HealthCheckResult) };
      throw error;
    }
  }

  private withVersion(result: HealthCheckResult): HealthReport {
    return { ...result, version: this.config.get('app.version', { infer: true }) };
  }
}
