/** `application_name` of every pooled connection; find the service's sessions in `pg_stat_activity` by it. */
export const DATABASE_APPLICATION_NAME = 'ballast';

/** Token for the migration classes the composition root hands to the database module. */
export const DATABASE_MIGRATIONS = Symbol('ballast:database:migrations');

/** `application_name` of the readiness probe's own connection, next to the pool's in `pg_stat_activity`. */
export const READINESS_APPLICATION_NAME = `${DATABASE_APPLICATION_NAME}-readiness`;

/** The database's key in the /health/ready body. */
export const DATABASE_HEALTH_KEY = 'database';
