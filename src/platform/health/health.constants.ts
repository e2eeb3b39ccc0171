import { DATABASE_APPLICATION_NAME } from '../database/database.constants';

/** `application_name` of the readiness probe's own connection, next to the pool's in `pg_stat_activity`. */
export const READINESS_APPLICATION_NAME = `${DATABASE_APPLICATION_NAME}-readiness`;

/** Indicator keys in the health body. */
export const HEALTH_KEY = { process: 'process', lifecycle: 'lifecycle', database: 'database' } as const;
