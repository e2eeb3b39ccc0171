import { type ConfigOf, defineConfigFragment } from '../config';

/**
 * The __entities_words__ feature's settings, validated at boot with every other variable (a bad value is
 * listed with the platform's, exit 1); read them with `__entitiesCamel__Config.from(configService)`. Starts
 * empty. A variable, with its range, default and cross-variable rules (docs/extending.md, "A setting"):
 *
 *   schema: { __ENV_PREFIX___BATCH_SIZE: intVar(100, 1, 10_000) },
 *   toConfig: (env) => ({ batchSize: env.__ENV_PREFIX___BATCH_SIZE }),
 *
 * is also documented in .env.example and the chart's values.schema.json (`config`): two specs fail, naming
 * it, until it is.
 */
export const __entitiesCamel__Config = defineConfigFragment({
  namespace: '__entitiesCamel__',
  schema: {},
  toConfig: () => ({}),
});

/** The `__entitiesCamel__` namespace. */
export type __Entities__Config = ConfigOf<typeof __entitiesCamel__Config>;
