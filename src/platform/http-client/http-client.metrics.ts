import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { METRIC, OUTBOUND_DURATION_BUCKETS } from '../observability';
import { OUTBOUND_METRIC } from './http-client.constants';

/** The outbound metrics, owned by the HTTP client (registered by HttpClientCoreModule, `@InjectMetric(...)`). */
export const httpClientMetricProviders = [
  makeHistogramProvider({
    name: METRIC.outboundRequestDuration,
    help: 'Outbound HTTP call duration by upstream and outcome.',
    labelNames: ['upstream', 'outcome'],
    buckets: OUTBOUND_DURATION_BUCKETS,
  }),
  makeGaugeProvider({
    name: OUTBOUND_METRIC.circuitState,
    help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open.',
    labelNames: ['upstream'],
  }),
  makeCounterProvider({
    name: OUTBOUND_METRIC.retries,
    help: 'Outbound attempts made after the first one of a call, per upstream.',
    labelNames: ['upstream'],
  }),
];
