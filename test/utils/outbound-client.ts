import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HttpClient } from '../../src/platform/http-client/http-client';
import { OUTBOUND_METRIC } from '../../src/platform/http-client/http-client.constants';
import type { HttpClientOptions } from '../../src/platform/http-client/http-client-options.interface';
import { resolveUpstreamSettings } from '../../src/platform/http-client/upstream-settings';
import { METRIC, OUTBOUND_DURATION_BUCKETS } from '../../src/platform/observability/metrics.constants';
import { PermitPool } from '../../src/platform/resilience/permit-pool';

/** A client of one upstream built without Nest, with its own metric registry, for fault tests. */
export interface TestClient {
  client: HttpClient;
  permits: PermitPool;
  /** The value of a metric series (0 when absent); histograms: the observation count. */
  metric(name: string, labels: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

/** Builds the client exactly as the registry does, with `outbound` and permit settings given here. */
export function createTestClient(
  name: string,
  options: HttpClientOptions,
  platform: {
    permits?: number;
    sharedPermits?: PermitPool;
    timeoutMs?: number;
    connectTimeoutMs?: number;
    maxConnectionsPerHost?: number;
  } = {},
): TestClient {
  const registry = new Registry();
  const registers = [registry];
  const duration = new Histogram({
    name: METRIC.outboundRequestDuration,
    help: 'x',
    labelNames: ['upstream', 'outcome'],
    buckets: OUTBOUND_DURATION_BUCKETS,
    registers,
  });
  const retries = new Counter({ name: OUTBOUND_METRIC.retries, help: 'x', labelNames: ['upstream'], registers });
  const circuitState = new Gauge({ name: OUTBOUND_METRIC.circuitState, help: 'x', labelNames: ['upstream'], registers });
  const inUse = new Gauge({ name: METRIC.resourcePermitsInUse, help: 'x', labelNames: ['resource'], registers });
  const rejected = new Counter({ name: METRIC.resourcePermitsRejected, help: 'x', labelNames: ['resource'], registers });
  const permits =
    platform.sharedPermits ??
    new PermitPool(
      'external',
      { capacity: platform.permits ?? 20 },
      {
        onChange: (n) => inUse.labels('external').set(n),
        onRejected: () => rejected.labels('external').inc(),
      },
    );
  const outbound = {
    timeoutMs: platform.timeoutMs ?? 30_000,
    connectTimeoutMs: platform.connectTimeoutMs ?? 5000,
    maxConnectionsPerHost: platform.maxConnectionsPerHost ?? 10,
  };
  const client = new HttpClient(resolveUpstreamSettings(name, options, outbound), permits, { duration, retries, circuitState });
  return {
    client,
    permits,
    metric: async (metricName, labels) => {
      const metric = registry.getSingleMetric(metricName);
      if (!metric) return 0;
      const values = (await metric.get()).values as {
        value: number;
        labels: Record<string, string | number | undefined>;
        metricName?: string;
      }[];
      const suffix = metricName === METRIC.outboundRequestDuration ? '_count' : '';
      const match = values.find(
        (v) =>
          (suffix === '' || v.metricName === metricName + suffix) && Object.entries(labels).every(([k, value]) => v.labels[k] === value),
      );
      return match?.value ?? 0;
    },
    close: () => client.close(1000),
  };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
