import { Controller, Get, ServiceUnavailableException, UseFilters } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  type HealthIndicatorFunction,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse } from '@nestjs/swagger';
import type { AllConfig } from '../../config/app-config';
import { HEALTH_REPORT_SCHEMA } from '../openapi/health-report.schema';
import { LifecycleState } from '../lifecycle/lifecycle-state.service';
import { HealthCheckFailedError } from './health-check-failed.error';
import { HealthCheckFailedFilter } from './health-check-failed.filter';
import { HEALTH_KEY } from './health.constants';
import type { HealthReport } from './health-report';
import { LifecycleHealthIndicator } from './lifecycle.health';
import { ReadinessRegistry } from './readiness-registry';

/**
 * `GET /health/live` and `GET /health/ready` (SPEC HTTP interface). The paths are exempt from rate limiting
 * and admission control by name (`/health/*`): keep them.
 */
@Controller('health')
@UseFilters(HealthCheckFailedFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly lifecycle: LifecycleHealthIndicator,
    private readonly state: LifecycleState,
    private readonly config: ConfigService<AllConfig, true>,
    private readonly readiness: ReadinessRegistry,
  ) {}

  /**
   * 200 while the event loop runs; touches no dependency, so a database outage never restarts the pod.
   * Built here rather than through HealthCheckService: terminus turns every check into `shutting_down`
   * (503) once Nest's shutdown hooks run, and liveness must stay 200 until the process exits.
   */
  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    operationId: 'getLiveness',
    summary: 'Liveness probe',
    description: 'Up while the event loop runs; asks no dependency.',
  })
  @ApiOkResponse({ description: 'The process is alive.', schema: HEALTH_REPORT_SCHEMA })
  live(): HealthReport {
    const details = this.indicators.check(HEALTH_KEY.process).up({ uptimeSeconds: Math.round(process.uptime()) });
    return this.withVersion({ status: 'ok', info: details, error: {}, details });
  }

  /**
   * 200 when the service is not shutting down and every check in the {@link ReadinessRegistry} is up (the
   * database's `SELECT 1`, every upstream registered with `affectsReadiness`, a feature's own); otherwise 503
   * with the same body. During shutdown no dependency is asked at all.
   */
  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness probe',
    description: 'Ready when not shutting down, the database answers `SELECT 1` in time and every readiness-affecting upstream is up.',
  })
  @ApiOkResponse({ description: 'Ready to serve traffic.', schema: HEALTH_REPORT_SCHEMA })
  @ApiServiceUnavailableResponse({
    description: 'Not ready (starting, shutting down, or a dependency is down); the body says which indicator failed.',
    schema: HEALTH_REPORT_SCHEMA,
  })
  async ready(): Promise<HealthReport> {
    const checks: HealthIndicatorFunction[] = [() => this.lifecycle.isServing()];
    if (!this.state.shuttingDown) checks.push(...this.readiness.checks());
    try {
      return this.withVersion(await this.health.check(checks));
    } catch (error) {
      if (error instanceof ServiceUnavailableException)
        throw new HealthCheckFailedError(this.withVersion(error.getResponse() as HealthCheckResult));
      throw error;
    }
  }

  private withVersion(result: HealthCheckResult): HealthReport {
    return { ...result, version: this.config.get('app.version', { infer: true }) };
  }
}
