import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { DB_DURATION_BUCKETS, HTTP_DURATION_BUCKETS, METRIC, OUTBOUND_DURATION_BUCKETS } from './metrics.constants';
import { OUTBOUND_METRIC } from '../http-client/http-client.constants';

/** Every SPEC metric as an injectable provider (`@InjectMetric(METRIC.x)`). */
export const metricProviders = [
  makeHistogramProvider({
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
  makeHistogramProvider({ name: METRIC.dbQueryDuration, help: 'Database query duration.', labelNames: ['outcome'], buckets: DB_DURATION_BUCKETS }),
  makeGaugeProvider({ name: METRIC.dbPoolConnections, help: 'Database pool connections by state (total, idle, waiting).', labelNames: ['state'] }),
  makeGaugeProvider({ name: METRIC.resourcePermitsInUse, help: 'Permits held per resource.', labelNames: ['resource'] }),
  makeCounterProvider({ name: METRIC.resourcePermitsRejected, help: 'Permit requests refused per resource.', labelNames: ['resource'] }),
  makeHistogramProvider({
    name: METRIC.outboundRequestDuration,
    help: 'Outbound HTTP call duration by upstream and outcome.',
    labelNames: ['upstream', 'outcome'],
    buckets: OUTBOUND_DURATION_BUCKETS,
  }),
  makeGaugeProvider({ name: OUTBOUND_METRIC.circuitState, help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open.', labelNames: ['upstream'] }),
  makeCounterProvider({ name: OUTBOUND_METRIC.retries, help: 'Outbound attempts made after the first one of a call, per upstream.', labelNames: ['upstream'] }),
];
