import type { HealthReport } from './health-report';

/** A health check answered "not healthy": rendered as its report with 503 by {@link HealthCheckFailedFilter}. */
export class HealthCheckFailedError extends Error {
  constructor(readonly report: HealthReport) {
    super(`health check ${report.status}`);
    this.name = HealthCheckFailedError.name;
  }
}
