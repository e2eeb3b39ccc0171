import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { DB_DURATION_BUCKETS, HTTP_DURATION_BUCKETS, METRIC } from './metrics.constants';

/**
 * The HTTP, database and permit SPEC metrics as injectable providers (`@InjectMetric(METRIC.x)`). The outbound
 * metrics are the HTTP client's own (http-client/http-client.metrics.ts).
 */
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
    help: 'HTTP requests refused by a protection (concurrency, rate_limit, permits, timeout).',
    labelNames: ['reason'],
  }),
  makeHistogramProvider({ name: METRIC.dbQueryDuration, help: 'Database query duration.', labelNames: ['outcome'], buckets: DB_DURATION_BUCKETS }),
  makeGaugeProvider({ name: METRIC.dbPoolConnections, help: 'Database pool connections by state (total, idle, waiting).', labelNames: ['state'] }),
  makeGaugeProvider({ name: METRIC.resourcePermitsInUse, help: 'Permits held per resource.', labelNames: ['resource'] }),
  makeCounterProvider({ name: METRIC.resourcePermitsRejected, help: 'Permit requests refused per resource.', labelNames: ['resource'] }),
];
