import { usersMigrations } from './users/users.migrations';

/** Composition only: every feature's migrations. Order across features follows the timestamps. */
export const migrations = [...usersMigrations];
