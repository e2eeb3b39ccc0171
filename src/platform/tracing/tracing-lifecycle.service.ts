import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import type { AllConfig } from '../../config/app-config';
import { ShutdownRegistry } from '../lifecycle/shutdown-registry.service';
import { traceConnectionCheckouts } from '../database/checkout-span';
import { TRACING_SPANS_DROPPED_METRIC, tracingRuntime } from '../spans';
import { collectOnScrape } from '../observability/collect-on-scrape';

/**
 * The Nest side of the SDK that register.ts started: flushes spans at shutdown (phase `clients`, within
 * SHUTDOWN_CLOSE_TIMEOUT_MS like every close), fills `tracing_spans_dropped_total` at scrape time, traces
 * database checkouts, and says so at boot when tracing is configured but the SDK did not start first.
 */
@Injectable()
export class TracingLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Tracing');
  private readonly runtime = tracingRuntime();
  private readonly collectDropped = () => {
    this.dropped.reset();
    this.dropped.inc(this.runtime?.droppedSpans() ?? 0);
  };

  private unhookDropped: () => void = () => undefined;

  constructor(
    private readonly config: ConfigService<AllConfig, true>,
    private readonly shutdown: ShutdownRegistry,
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectMetric(TRACING_SPANS_DROPPED_METRIC) private readonly dropped: Counter<string>,
  ) {}

  onModuleInit(): void {
    this.dropped.inc(0);
    const settings = this.config.get('tracing', { infer: true });
    const runtime = this.runtime;
    if (!runtime) {
      if (settings)
        this.logger.warn(
          'OTEL_EXPORTER_OTLP_ENDPOINT is set but the SDK did not start: import ./platform/tracing/register first in main.ts (or preload it)',
        );
      return;
    }
    this.unhookDropped = collectOnScrape(this.dropped, this.collectDropped);
    this.shutdown.register('clients', 'span exporter', () => runtime.shutdown());
    if (settings)
      this.logger.log(
        `tracing to ${new URL(settings.url).origin} (${settings.protocol}, sampler ${settings.sampler}${settings.sampler.endsWith('ratio') ? ` ${settings.ratio}` : ''})`,
      );
  }

  onApplicationBootstrap(): void {
    // After every module's onModuleInit: the permits guard is installed by then, and this wraps it.
    if (this.runtime) traceConnectionCheckouts(this.dataSource);
  }

  onModuleDestroy(): void {
    this.unhookDropped();
  }
}
