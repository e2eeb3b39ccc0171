import { makeGaugeProvider } from '@willsoto/nestjs-prometheus';

/** Metric names owned by the resilience module (SPEC: `http_concurrency_limit`). */
export const RESILIENCE_METRIC = {
  concurrencyLimit: 'http_concurrency_limit',
  concurrencyRtt: 'http_concurrency_rtt_seconds',
} as const;

/** Gauges of the admission edge, read at scrape time (never set on the request path). */
export const resilienceMetricProviders = [
  makeGaugeProvider({ name: RESILIENCE_METRIC.concurrencyLimit, help: 'The current HTTP in-flight limit (HTTP_CONCURRENCY_LIMIT, fixed or adaptive).' }),
  makeGaugeProvider({
    name: RESILIENCE_METRIC.concurrencyRtt,
    help: 'Latency the adaptive concurrency limit works from: kind="min" the minimum window RTT since the last probe, kind="sample" the last window average.',
    labelNames: ['kind'],
  }),
];
