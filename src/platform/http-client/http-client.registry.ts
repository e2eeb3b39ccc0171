import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { AllConfig } from '../../config/app-config';
import { ShutdownRegistry } from '../lifecycle/shutdown-registry.service';
import { METRIC } from '../observability/metrics.constants';
import { HttpClient } from './http-client';
import type { HttpClientMetrics } from './outbound-request.interface';
import { EXTERNAL_PERMITS, OUTBOUND_METRIC } from './http-client.constants';
import type { HttpClientOptions } from './http-client-options.interface';
import type { OutboundPermits } from './outbound-permits';
import { resolveUpstreamSettings } from './upstream-settings';

/** Longest wait for an upstream's in-flight calls at shutdown before its sockets are destroyed. @default 2000 */
export const CLIENT_CLOSE_TIMEOUT_MS = 2000;

/**
 * Every upstream client of the process, by name: creates each once (one undici Pool, breaker and retry budget
 * per upstream, however many modules inject it) and closes them at shutdown: each client is registered with the
 * ShutdownRegistry's `outbound` phase, which runs after the HTTP drain (no request waits on an upstream then) and
 * before Redis and the database; a call still running (background work) gets CLIENT_CLOSE_TIMEOUT_MS before its
 * socket is cut. `onApplicationShutdown` closes again (a no-op then) for an application closed without the coordinator.
 */
@Injectable()
export class HttpClientRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger('HttpClient');
  private readonly clients = new Map<string, { client: HttpClient; options: HttpClientOptions }>();
  private readonly metrics: HttpClientMetrics;

  constructor(
    private readonly config: ConfigService<AllConfig, true>,
    @Inject(EXTERNAL_PERMITS) private readonly permits: OutboundPermits,
    @InjectMetric(METRIC.outboundRequestDuration) duration: Histogram<string>,
    @InjectMetric(OUTBOUND_METRIC.retries) retries: Counter<string>,
    @InjectMetric(OUTBOUND_METRIC.circuitState) circuitState: Gauge<string>,
    private readonly shutdown: ShutdownRegistry,
  ) {
    this.metrics = { duration, retries, circuitState };
  }

  /** The client of upstream `name`, created on first registration; a second one must have the same options. */
  register(name: string, options: HttpClientOptions): HttpClient {
    const existing = this.clients.get(name);
    if (existing) {
      if (JSON.stringify(existing.options) !== JSON.stringify(options))
        throw new Error(`http client "${name}" is registered twice with different options`);
      return existing.client;
    }
    const settings = resolveUpstreamSettings(name, options, this.config.get('outbound', { infer: true }));
    const client = new HttpClient(settings, this.permits, this.metrics);
    this.clients.set(name, { client, options });
    if (client.enabled) this.shutdown.register('outbound', `upstream ${name}`, () => client.close(CLIENT_CLOSE_TIMEOUT_MS));
    else this.logger.log(`upstream "${name}" has no URL configured: its calls are disabled`);
    return client;
  }

  /** The client of upstream `name`; throws naming the registered ones when there is none. */
  get(name: string): HttpClient {
    const entry = this.clients.get(name);
    if (!entry) throw new Error(`no http client "${name}"; registered: ${[...this.clients.keys()].join(', ') || 'none'}`);
    return entry.client;
  }

  /** Every registered client. */
  all(): HttpClient[] {
    return [...this.clients.values()].map((entry) => entry.client);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.all().map(async (client) => {
        try {
          await client.close(CLIENT_CLOSE_TIMEOUT_MS);
        } catch (error) {
          this.logger.warn(`closing upstream "${client.name}" failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
    );
  }
}
