import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { collectOnScrape } from '../observability/collect-on-scrape';
import { currentRequestContext } from '../request-context/request-context';
import { METRIC } from '../observability/metrics.constants';
import { PermitPool, type PermitPoolOptions } from './permit-pool';

/**
 * Every named permit pool of the process, so `@UsePermits(name)` finds its pool and each pool reports
 * `resource_permits_in_use{resource}` and `resource_permits_rejected_total{resource}`. A refusal while
 * serving a request also counts `http_requests_rejected_total{reason="permits"}`.
 * The in-use gauge is read from the pools when /metrics is scraped, not set on every acquire and release:
 * each prom-client `set` hashes its labels, twice per database checkout on the hot path.
 */
@Injectable()
export class PermitPoolRegistry implements OnModuleDestroy {
  private readonly pools = new Map<string, { pool: PermitPool; options: PermitPoolOptions }>();
  private readonly unhookInUse: () => void;

  constructor(
    @InjectMetric(METRIC.resourcePermitsInUse) private readonly inUse: Gauge<string>,
    @InjectMetric(METRIC.resourcePermitsRejected) private readonly rejected: Counter<string>,
    @InjectMetric(METRIC.httpRequestsRejected) private readonly httpRejected: Counter<string>,
  ) {
    this.unhookInUse = collectOnScrape(inUse, () => {
      for (const [name, { pool }] of this.pools) inUse.labels(name).set(pool.inUse);
    });
  }

  onModuleDestroy(): void {
    this.unhookInUse();
  }

  /** Creates the pool `name`; declaring the same name twice with other bounds is a programming error. */
  register(name: string, options: PermitPoolOptions): PermitPool {
    const existing = this.pools.get(name);
    if (existing) {
      if (JSON.stringify(existing.options) !== JSON.stringify(options)) {
        throw new Error(`permit pool "${name}" is declared twice with different bounds`);
      }
      return existing.pool;
    }
    if (!Number.isInteger(options.capacity) || options.capacity < 1) {
      throw new Error(`permit pool "${name}": capacity must be a positive integer, got ${options.capacity}`);
    }
    const rejected = this.rejected.labels(name);
    const httpRejected = this.httpRejected.labels('permits');
    const pool = new PermitPool(name, options, {
      onRejected: () => {
        rejected.inc();
        if (currentRequestContext()) httpRejected.inc();
      },
    });
    this.inUse.labels(name).set(0);
    rejected.inc(0);
    this.pools.set(name, { pool, options });
    return pool;
  }

  /** The pool `name`; throws naming the declared pools when there is none. */
  get(name: string): PermitPool {
    const entry = this.pools.get(name);
    if (!entry) {
      throw new Error(
        `no permit pool "${name}"; declared: ${[...this.pools.keys()].join(', ')} (add ResilienceModule.forFeature({ name: '${name}', permits }))`,
      );
    }
    return entry.pool;
  }
}
