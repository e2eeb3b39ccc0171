import { makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { MANAGEMENT_METRIC } from './management.constants';

/** The management module's metrics: the log level now, and diagnostics taken. */
export const managementMetricProviders = [
  makeGaugeProvider({
    name: MANAGEMENT_METRIC.logLevel,
    help: "The current log level as pino's number: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal (+Inf silent).",
  }),
  makeCounterProvider({
    name: MANAGEMENT_METRIC.diagnosticsTaken,
    help: 'Diagnostics taken through the management port (kind: heap_snapshot, cpu_profile).',
    labelNames: ['kind'],
  }),
];
