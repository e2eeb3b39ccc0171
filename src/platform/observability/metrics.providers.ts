import type { Provider } from '@nestjs/common';
import { getToken, makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { type HistogramConfiguration, register } from 'prom-client';
import { DB_DURATION_BUCKETS, HTTP_DURATION_BUCKETS, METRIC } from './metrics.constants';
import { tracingActive } from '../spans/tracing-runtime';
import { FastHistogram } from './fast-histogram';

/**
 * The HTTP histogram; with tracing on, each bucket keeps the trace id of its latest sampled request as an
 * exemplar (served with OpenMetrics, see MetricsController).
 */
function httpDurationProvider(config: HistogramConfiguration<string>): Provider {
  return fastHistogramProvider(tracingActive() ? { ...config, enableExemplars: true } : config);
}

/** A histogram observed on every request (fast-histogram.ts), injectable like makeHistogramProvider's. */
function fastHistogramProvider(config: HistogramConfiguration<string>): Provider {
  return {
    provide: getToken(config.name),
    useFactory: () => register.getSingleMetric(config.name) ?? new FastHistogram(config),
  };
}

/**
 * The HTTP, database and permit SPEC metrics as injectable providers (`@InjectMetric(METRIC.x)`). The outbound
 * metrics are the HTTP client's own (http-client/http-client.metrics.ts).
 */
export const metricProviders = [
  httpDurationProvider({
    name: METRIC.httpRequestDuration,
    help: 'HTTP request duration by route template and the status code the client got.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: HTTP_DURATION_BUCKETS,
  }),
  makeCounterProvider({ name: METRIC.httpRequestsTotal, help: 'HTTP requests answered.', labelNames: ['method', 'route', 'status_code'] }),
  makeGaugeProvider({ name: METRIC.httpRequestsInFlight, help: 'HTTP requests being served now.' }),
  makeCounterProvider({
    name: METRIC.httpRequestsRejected,
    help: 'HTTP requests refused by a protection (concurrency, pressure, rate_limit, permits, timeout).',
    labelNames: ['reason'],
  }),
  fastHistogramProvider({
    name: METRIC.dbQueryDuration,
    help: 'Database query duration.',
    labelNames: ['outcome'],
    buckets: DB_DURATION_BUCKETS,
  }),
  makeGaugeProvider({
    name: METRIC.dbPoolConnections,
    help: 'Database pool connections by state (total, idle, waiting).',
    labelNames: ['state'],
  }),
  makeGaugeProvider({ name: METRIC.resourcePermitsInUse, help: 'Permits held per resource.', labelNames: ['resource'] }),
  makeCounterProvider({ name: METRIC.resourcePermitsRejected, help: 'Permit requests refused per resource.', labelNames: ['resource'] }),
];
