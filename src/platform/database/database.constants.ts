/** `application_name` of every pooled connection; find the service's sessions in `pg_stat_activity` by it. */
export const DATABASE_APPLICATION_NAME = 'ballast';

/** Token for the migration classes the composition root hands to the database module. */
export const DATABASE_MIGRATIONS = Symbol('ballast:database:migrations');
