import { defineFeature } from '../platform/composition';
import { __entitiesCamel__Config } from './__entities__.config';
import { __entitiesCamel__Migrations } from './__entities__.migrations';
import { __Entities__Module } from './__entities__.module';

/** The __entities_words__ feature as the composition root (src/features.ts) sees it: module, settings, migrations. */
export const __entitiesCamel__Feature = defineFeature({
  name: '__entities__',
  description: 'The __entities_words__ feature: __entities_words__ in PostgreSQL.',
  module: __Entities__Module,
  config: __entitiesCamel__Config,
  migrations: __entitiesCamel__Migrations,
});
