import { Controller, Get, UseFilters } from '@nestjs/common';
import { HealthCheck } from '@nestjs/terminus';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse } from '@nestjs/swagger';
import { HEALTH_REPORT_SCHEMA } from '../openapi/health-report.schema';
import { HealthCheckFailedError } from './health-check-failed.error';
import { HealthCheckFailedFilter } from './health-check-failed.filter';
import type { HealthReport } from './health-report';
import { HealthReporter } from './health-reporter.service';

/**
 * `GET /health/live` and `GET /health/ready` on the main port; the reports are the
 * {@link HealthReporter}'s, which the management listener serves too. The paths are exempt from rate limiting
 * and admission control by name (`/health/*`): keep them.
 */
@Controller('health')
@UseFilters(HealthCheckFailedFilter)
export class HealthController {
  constructor(private readonly reporter: HealthReporter) {}

  /** 200 while the event loop runs; touches no dependency. */
  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    operationId: 'getLiveness',
    summary: 'Liveness probe',
    description: 'Up while the event loop runs; asks no dependency.',
  })
  @ApiOkResponse({ description: 'The process is alive.', schema: HEALTH_REPORT_SCHEMA })
  live(): HealthReport {
    return this.reporter.live();
  }

  /**
   * 200 when the service is not shutting down and every readiness check is up (the
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
    const { ok, report } = await this.reporter.ready();
    if (!ok) throw new HealthCheckFailedError(report);
    return report;
  }
}
