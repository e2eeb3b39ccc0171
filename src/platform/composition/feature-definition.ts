import type { DynamicModule, Type } from '@nestjs/common';
import type { ConfigFragment } from '../../config/config-fragment';
import type { FeatureMigrations } from '../database';

/**
 * What a feature declares about itself (`src/<feature>/<feature>.feature.ts`); the composition root
 * (src/features.ts) lists each feature once and collects the rest from here. Readiness checks and metrics
 * are ordinary providers of the feature's module (the readiness registry, `makeCounterProvider`), so they
 * need no entry.
 */
export interface FeatureDefinition {
  /** The feature's folder name: its controllers' OpenAPI tag, and its name in messages. */
  readonly name: string;
  /** One line on what the feature is: the description of its OpenAPI tag. */
  readonly description: string;
  /** The feature's Nest module. */
  readonly module: Type | DynamicModule;
  /** The feature's settings, validated at boot with the platform's. */
  readonly config?: ConfigFragment;
  /** The feature's migrations; a file in its folder that is not listed stops the start. */
  readonly migrations?: FeatureMigrations;
}

/** Declares a feature (typed identity: the object is the declaration). */
export function defineFeature<const F extends FeatureDefinition>(definition: F): F {
  return definition;
}
