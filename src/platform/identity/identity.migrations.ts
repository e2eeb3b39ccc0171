import { defineMigrations } from '../database';
import { CreateApiKeys1764200000000 } from './migrations/1764200000000-create-api-keys';

/** The identity module's own migrations (the API key table), collected with the features' by src/platform/composition. */
export const identityMigrations = defineMigrations(__dirname, [CreateApiKeys1764200000000]);
