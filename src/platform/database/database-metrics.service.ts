import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Pool } from 'pg';
import type { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { collectOnScrape } from '../observability/collect-on-scrape';
import { METRIC } from '../observability/metrics.constants';
import { driverPool } from './connection-checkout';

/**
 * `db_pool_connections{state=total|idle|waiting}`, read from the live pg Pool when Prometheus scrapes — no timer,
 * and never stale. (`db_query_duration_seconds` is timed on every pooled client by BrokenConnectionGuard.)
 */
@Injectable()
export class DatabaseMetricsService implements OnModuleDestroy {
  private readonly unhookPool: () => void;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectMetric(METRIC.dbPoolConnections) private readonly poolConnections: Gauge<'state'>,
  ) {
    this.unhookPool = collectOnScrape(poolConnections, () => this.readPool());
  }

  /** The pg Pool behind TypeORM's postgres driver (connection-checkout.ts); undefined until connected and after close. */
  private get pool(): Pool | undefined {
    return driverPool(this.dataSource);
  }

  private readPool(): void {
    const pool = this.pool;
    this.poolConnections.set({ state: 'total' }, pool?.totalCount ?? 0);
    this.poolConnections.set({ state: 'idle' }, pool?.idleCount ?? 0);
    this.poolConnections.set({ state: 'waiting' }, pool?.waitingCount ?? 0);
  }

  onModuleDestroy(): void {
    // Stop reading a pool that is about to close.
    this.unhookPool();
  }
}
