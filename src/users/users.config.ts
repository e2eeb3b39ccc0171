import { type ConfigOf, defineConfigFragment, intVar, urlVar } from '../config';

/**
 * The users feature's settings: the profile upstream. Validated at boot with every other variable (a bad
 * value is listed with the platform's, exit 1); document each in .env.example and the chart's values.schema.json.
 */
export const usersConfig = defineConfigFragment({
  namespace: 'users',
  schema: {
    /** Unset: profiles are disabled (`profileStatus: disabled`). */
    PROFILE_SERVICE_URL: urlVar(['http:', 'https:']),
    PROFILE_SERVICE_TIMEOUT_MS: intVar(2000, 1, 3_600_000),
  },
  toConfig: (env) => ({ profileServiceUrl: env.PROFILE_SERVICE_URL, profileTimeoutMs: env.PROFILE_SERVICE_TIMEOUT_MS }),
});

/** The `users` namespace: `usersConfig.from(configService)`. */
export type UsersConfig = ConfigOf<typeof usersConfig>;
