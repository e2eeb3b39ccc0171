import { idempotencyMigrations } from './platform/idempotency/idempotency.migrations';
import { usersMigrations } from './users/users.migrations';

/** Composition only: the platform's and every feature's migrations. Order across them follows the timestamps. */
export const migrations = [...idempotencyMigrations, ...usersMigrations];
