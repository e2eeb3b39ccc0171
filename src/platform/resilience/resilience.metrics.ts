import { makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { METRIC } from '../observability/metrics.constants';

/** Gauges of the admission edge, owned by this module and read at scrape time (never set on the request path). */
export const resilienceMetricProviders = [
  makeGaugeProvider({
    name: METRIC.httpConcurrencyLimit,
    help: 'The current HTTP in-flight limit (HTTP_CONCURRENCY_LIMIT, fixed or adaptive).',
  }),
  makeGaugeProvider({
    name: METRIC.httpConcurrencyRtt,
    help: 'Latency the adaptive concurrency limit works from: kind="min" the minimum window RTT since the last probe, kind="sample" the last window average.',
    labelNames: ['kind'],
  }),
];
