import { defineMigrations } from '../database';
import { CreateIdempotencyKeys1764100000000 } from './migrations/1764100000000-create-idempotency-keys';

/** The idempotency store's migrations, in order, and their folder (checked at start like a feature's). */
export const idempotencyMigrations = defineMigrations(__dirname, [CreateIdempotencyKeys1764100000000]);
