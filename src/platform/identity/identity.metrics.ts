import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { AUTH_OUTCOMES, IDENTITY_METRIC } from './identity.constants';

/** The identity module's metrics as injectable providers. */
export const identityMetricProviders = [
  makeCounterProvider({
    name: IDENTITY_METRIC.authRequests,
    help: `Requests to routes that need a principal, by what authentication decided (${AUTH_OUTCOMES.join(', ')}).`,
    labelNames: ['outcome'],
  }),
];
