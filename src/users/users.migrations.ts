import { defineMigrations } from '../platform/database';
import { CreateUsers1764000000000 } from './migrations/1764000000000-create-users';
import { AddUsersVersion1765000000000 } from './migrations/1765000000000-add-users-version';

/**
 * The users feature's migrations, in order, and their folder: a file in `migrations/` missing here stops the
 * start with its name (`npm run migration:generate -- users <Name>` adds it for you).
 */
export const usersMigrations = defineMigrations(__dirname, [CreateUsers1764000000000, AddUsersVersion1765000000000]);
