import { makeCounterProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { IDEMPOTENCY_METRIC } from './idempotency.constants';

/** The idempotency module's metrics as injectable providers. */
export const idempotencyMetricProviders = [
  makeCounterProvider({
    name: IDEMPOTENCY_METRIC.requests,
    help: 'Requests with an Idempotency-Key on idempotent routes, by outcome (first, replayed, in_progress, mismatch).',
    labelNames: ['outcome'],
  }),
  makeHistogramProvider({
    name: IDEMPOTENCY_METRIC.storeDuration,
    help: 'Idempotency store statement duration, by operation (claim, lookup, complete, release, cleanup).',
    labelNames: ['operation'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  }),
];
