import { defineFeature } from '../platform/composition';
import { usersConfig } from './users.config';
import { usersMigrations } from './users.migrations';
import { UsersModule } from './users.module';

/** The users feature as the composition root (src/features.ts) sees it: module, settings, migrations. */
export const usersFeature = defineFeature({
  name: 'users',
  description: 'The example feature module: users in PostgreSQL, enriched from a profile service.',
  module: UsersModule,
  config: usersConfig,
  migrations: usersMigrations,
});
