import { Global, Module } from '@nestjs/common';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { HealthReporter } from './health-reporter.service';
import { LifecycleHealthIndicator } from './lifecycle.health';
import { ReadinessRegistry } from './readiness-registry';

/**
 * Liveness and readiness on @nestjs/terminus. Readiness runs the checks other modules register in the
 * {@link ReadinessRegistry} (global, so the database module, the HTTP client and features reach it); the
 * health module itself imports no dependency. Terminus' own failure log is off (a down database would log on
 * every probe); each check logs its own changes between up and down.
 */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [LifecycleHealthIndicator, ReadinessRegistry, HealthIndicatorService, HealthReporter],
  exports: [ReadinessRegistry, HealthIndicatorService, HealthReporter],
})
export class HealthModule {}
