import { CreateUsers1764000000000 } from './migrations/1764000000000-create-users';

/** The users feature's migrations, in order. */
export const usersMigrations = [CreateUsers1764000000000];
