import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HttpClientCoreModule } from '../http-client/http-client-core.module';
import { DatabaseHealthIndicator } from './database.health';
import { DatabasePing } from './database-ping.service';
import { HealthController } from './health.controller';
import { LifecycleHealthIndicator } from './lifecycle.health';

/**
 * Liveness and readiness on @nestjs/terminus. Terminus' own failure log is off (a down database would log
 * on every probe); the database indicator logs each change between up and down instead.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), HttpClientCoreModule],
  controllers: [HealthController],
  providers: [DatabasePing, DatabaseHealthIndicator, LifecycleHealthIndicator],
})
export class HealthModule {}
