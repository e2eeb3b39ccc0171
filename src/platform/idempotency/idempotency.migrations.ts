import { CreateIdempotencyKeys1764100000000 } from './migrations/1764100000000-create-idempotency-keys';

/** The idempotency store's migrations, in order. */
export const idempotencyMigrations = [CreateIdempotencyKeys1764100000000];
