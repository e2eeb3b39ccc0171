import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectMetric, makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { collectOnScrape } from '../observability/collect-on-scrape';
import { InjectRateLimitStorage, RATE_LIMIT_METRIC } from './rate-limit.constants';

/** The rate limiter's own metrics (the SPEC's `http_requests_rejected_total{reason="rate_limit"}` lives in observability). */
export const rateLimitMetricProviders = [
  makeCounterProvider({ name: RATE_LIMIT_METRIC.storeErrors, help: 'Rate-limit calls to Redis that failed or timed out.' }),
  makeCounterProvider({
    name: RATE_LIMIT_METRIC.fallbacks,
    help: 'Requests decided by RATE_LIMIT_REDIS_FAILURE (local, open, closed) because Redis did not answer.',
    labelNames: ['policy'],
  }),
  makeCounterProvider({
    name: RATE_LIMIT_METRIC.evictions,
    help: 'Live in-process buckets dropped at RATE_LIMIT_MAX_KEYS (those clients started again with a full bucket).',
  }),
  makeGaugeProvider({
    name: RATE_LIMIT_METRIC.buckets,
    help: 'Client buckets held in process (the in-process store, or the local fallback when Redis is used).',
  }),
];

/** `rate_limit_buckets`, read from this application's storage when /metrics is scraped. */
@Injectable()
export class RateLimitBucketsMetric implements OnModuleDestroy {
  private readonly unhook: () => void;

  constructor(@InjectMetric(RATE_LIMIT_METRIC.buckets) gauge: Gauge, @InjectRateLimitStorage() storage: { size: number }) {
    this.unhook = collectOnScrape(gauge, () => gauge.set(storage.size));
  }

  onModuleDestroy(): void {
    this.unhook();
  }
}
