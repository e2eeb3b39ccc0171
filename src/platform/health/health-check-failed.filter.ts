import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { HealthCheckFailedError } from './health-check-failed.error';

/**
 * Renders a failed health check as 503 with the terminus body (not problem+json: probes and dashboards read
 * the terminus format). Controller-scoped, so it wins over the global problem+json filter for this error only.
 */
@Catch(HealthCheckFailedError)
export class HealthCheckFailedFilter implements ExceptionFilter<HealthCheckFailedError> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: HealthCheckFailedError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<unknown>();
    const adapter = this.adapterHost.httpAdapter;
    adapter.setHeader(response, 'Cache-Control', 'no-cache, no-store, must-revalidate');
    adapter.reply(response, error.report, 503);
  }
}
