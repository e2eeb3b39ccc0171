import type { DynamicModule, Type } from '@nestjs/common';
import type { ConfigFragment } from '../../config/config-fragment';
import { collectMigrations, type MigrationClass } from '../database';
import type { OpenApiTag } from '../openapi';
import { idempotencyMigrations } from '../idempotency';
import { identityMigrations } from '../identity';
import type { FeatureDefinition } from './feature-definition';

/** What the composition root needs from the feature list. */
export interface CollectedFeatures {
  modules: Array<Type | DynamicModule>;
  configFragments: ConfigFragment[];
  migrations: MigrationClass[];
  /** One OpenAPI tag per feature (its name and description). */
  tags: OpenApiTag[];
}

/**
 * Gathers the features' modules, config fragments and migrations (checking that every migration file on
 * disk is registered); the platform's own migrations (the idempotency store, the API keys) come with them. Migrations are
 * ordered by their timestamps, as TypeORM runs them. A feature listed twice is a programming error.
 */
export function collectFeatures(features: ReadonlyArray<FeatureDefinition>): CollectedFeatures {
  const names = features.map((f) => f.name);
  const twice = names.filter((name, i) => names.indexOf(name) !== i);
  if (twice.length > 0) throw new Error(`feature(s) listed twice in src/features.ts: ${twice.join(', ')}`);
  return {
    modules: features.map((f) => f.module),
    configFragments: features.flatMap((f) => (f.config ? [f.config] : [])),
    migrations: collectMigrations([
      idempotencyMigrations,
      identityMigrations,
      ...features.flatMap((f) => (f.migrations ? [f.migrations] : [])),
    ]).sort((a, b) => timestampOf(a) - timestampOf(b)),
    tags: features.map((f) => ({ name: f.name, description: f.description })),
  };
}

/** The 13-digit timestamp a migration class name ends with (0 without one). */
function timestampOf(migration: MigrationClass): number {
  return Number(/(\d{13})$/.exec(migration.name)?.[1] ?? 0);
}
