import type { ConfigService } from '@nestjs/config';
import type { z } from 'zod';
import type { EnvRule } from './env.rules';

/** One variable's schema, built with the env.helpers builders: the raw string (or nothing) in, a value out. */
export type VariableSchema = z.ZodType<unknown, string | undefined>;

/** The variables of a fragment, by name. */
export type FragmentShape = Record<string, VariableSchema>;

/** The validated values of a fragment's variables. */
export type FragmentEnv<S extends FragmentShape> = { [K in keyof S]: z.output<S[K]> };

/** A feature's share of the configuration: its variables, the rules between them, and its typed namespace. */
export interface ConfigFragment<N extends string = string, S extends FragmentShape = FragmentShape, C = unknown> {
  /** The config namespace (`ConfigService.get('<namespace>')`), usually the feature's folder name. */
  readonly namespace: N;
  /** Every variable the fragment reads, validated at boot with the platform's (env.schema.ts). */
  readonly schema: S;
  /** Checks across this fragment's variables (see env.rules.ts); each runs only when its variables passed. */
  readonly rules: ReadonlyArray<EnvRule<FragmentEnv<S>>>;
  /** Maps the validated variables onto the namespace's typed value. */
  toConfig(env: FragmentEnv<S>): C;
  /** The namespace's typed value, read from the application's `ConfigService`. */
  from(config: ConfigService): C;
}

/** The typed value of a fragment's namespace. */
export type ConfigOf<F> = F extends ConfigFragment<string, FragmentShape, infer C> ? C : never;

/**
 * Declares a feature's own settings next to its module (`src/<feature>/<feature>.config.ts`). The
 * composition root (src/features.ts) hands every feature's fragment to `loadConfig`, which validates them
 * together with the platform's variables: every problem of every fragment is listed at once, exit 1.
 */
export function defineConfigFragment<const N extends string, S extends FragmentShape, C>(definition: {
  namespace: N;
  schema: S;
  rules?: ReadonlyArray<EnvRule<FragmentEnv<S>>>;
  toConfig: (env: FragmentEnv<S>) => C;
}): ConfigFragment<N, S, C> {
  const { namespace } = definition;
  return {
    namespace,
    schema: definition.schema,
    rules: definition.rules ?? [],
    toConfig: definition.toConfig,
    from(config: ConfigService): C {
      const value = config.get<C>(namespace);
      // A programming error, not a user's: the fragment's feature is missing from the composition list.
      if (value === undefined) throw new Error(`config namespace "${namespace}" was not loaded: is its feature listed in src/features.ts?`);
      return value;
    },
  };
}
