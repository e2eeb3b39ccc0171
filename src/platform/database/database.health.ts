import { Injectable, Logger, Optional } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { AllConfig } from '../../config/app-config';
import { READINESS_ORDER, ReadinessRegistry } from '../health';
import { DatabaseConnectionService } from './database-connection.service';
import { DatabasePing } from './database-ping.service';
import { DATABASE_HEALTH_KEY } from './database.constants';

/**
 * The database part of readiness: down while the connection lifecycle is not `ready` (still connecting,
 * migrating or warming the pool, or closing), otherwise `SELECT 1` within HEALTH_DB_TIMEOUT_MS. Concurrent
 * probes share one check and its result is reused for HEALTH_CACHE_TTL_MS (terminus `attempt().cacheFor()`),
 * so a burst of load-balancer probes costs one query. Changes between up and down are logged once each.
 * Registers itself in the health module's {@link ReadinessRegistry} (absent in apps booted without it).
 */
@Injectable()
export class DatabaseHealthIndicator {
  private readonly logger = new Logger('Health');
  private lastStatus: 'up' | 'down' | undefined;

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly connection: DatabaseConnectionService,
    private readonly ping: DatabasePing,
    private readonly config: ConfigService<AllConfig, true>,
    @Optional() readiness?: ReadinessRegistry,
  ) {
    readiness?.register(DATABASE_HEALTH_KEY, () => this.isHealthy(), READINESS_ORDER.database);
  }

  /** `database: up` with the response time, or `down` with the state or the failure. */
  async isHealthy(key: string = DATABASE_HEALTH_KEY): Promise<HealthIndicatorResult> {
    const { dbTimeoutMs, cacheTtlMs } = this.config.get('health', { infer: true });
    const state = this.connection.state;
    const result =
      state === 'ready'
        ? await this.indicators
            .check(key)
            .attempt(({ signal }) => this.ping.ping(signal))
            .withTimeout(dbTimeoutMs)
            .cacheFor(cacheTtlMs)
        : this.indicators.check(key).down({ state, message: `database connection is ${state}` });
    this.logChange(result[key]);
    return result;
  }

  private logChange(detail: { status: string; message?: unknown } | undefined): void {
    const status = detail?.status === 'up' ? 'up' : 'down';
    if (status === this.lastStatus) return;
    const first = this.lastStatus === undefined;
    this.lastStatus = status;
    if (status === 'up') {
      if (!first) this.logger.log('readiness: database answers again');
      return;
    }
    const cause = this.ping.lastFailure ? ` (${this.ping.lastFailure})` : '';
    this.logger.warn(`readiness: database down: ${typeof detail?.message === 'string' ? detail.message : 'unknown'}${cause}`);
  }
}
