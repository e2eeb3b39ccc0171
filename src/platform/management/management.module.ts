import { Inject, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { DiagnosticsService } from './diagnostics.service';
import { InfoService } from './info.service';
import { LogLevelService } from './log-level.service';
import { MainPortGateMiddleware } from './main-port-gate.middleware';
import { MainPortManagementMiddleware } from './main-port-management.middleware';
import { managementMetricProviders } from './management.metrics';
import { ConfigurableManagementModule, MANAGEMENT_OPTIONS } from './management.module-definition';
import type { ManagementModuleOptions } from './management-options.interface';
import { ManagementRouter } from './management-router.service';
import { ManagementServer } from './management-server.service';
import { OperatorReadiness } from './operator-readiness.service';

/**
 * The operations surface: `/metrics`, `/health/*`, `/info` and `/admin/*` (log level, readiness, heap snapshot,
 * CPU profile) on a second, plain node:http listener at MANAGEMENT_PORT, never behind the API's protections; the
 * main port then answers 404 for them. Without MANAGEMENT_PORT the main port keeps /metrics and /health/* (their
 * controllers) and serves /info and /admin/* too, behind the token. `ManagementModule.forRoot(options)`.
 */
@Module({
  providers: [
    ...managementMetricProviders,
    LogLevelService,
    InfoService,
    DiagnosticsService,
    OperatorReadiness,
    ManagementRouter,
    ManagementServer,
  ],
  exports: [ManagementServer, LogLevelService],
})
export class ManagementModule extends ConfigurableManagementModule implements NestModule {
  constructor(@Inject(MANAGEMENT_OPTIONS) private readonly options: ManagementModuleOptions) {
    super();
  }

  configure(consumer: MiddlewareConsumer): void {
    if (this.options.port !== undefined) {
      consumer
        .apply(MainPortGateMiddleware)
        .forRoutes(
          { path: 'metrics', method: RequestMethod.ALL },
          { path: 'health/live', method: RequestMethod.ALL },
          { path: 'health/ready', method: RequestMethod.ALL },
        );
    } else {
      consumer
        .apply(MainPortManagementMiddleware)
        .forRoutes({ path: 'info', method: RequestMethod.ALL }, { path: 'admin/*path', method: RequestMethod.ALL });
    }
  }
}
