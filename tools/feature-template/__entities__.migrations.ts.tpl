import { defineMigrations } from '../platform/database';
import { Create__Entities____timestamp__ } from './migrations/__timestamp__-create-__entities__';

/**
 * The __entities_words__ feature's migrations, in order, and their folder: a file in `migrations/` missing
 * here stops the start with its name. New one: `npm run migration:generate -- __entities__ <Name>` writes and registers it.
 */
export const __entitiesCamel__Migrations = defineMigrations(__dirname, [Create__Entities____timestamp__]);
