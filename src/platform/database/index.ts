/** Public surface of the database platform module: what features and the composition root import. */
export { DatabaseModule } from './database.module';
export type { DatabaseModuleOptions } from './database.module-definition';
export { DATABASE_APPLICATION_NAME, DATABASE_MIGRATIONS } from './database.constants';
export { DatabaseConnectionService, type DatabaseState } from './database-connection.service';
export { translateDatabaseError } from './database-errors';
export { DATABASE_HEALTH_KEY, READINESS_APPLICATION_NAME } from './database.constants';
export { DatabasePing } from './database-ping.service';
export {
  collectMigrations,
  defineMigrations,
  type FeatureMigrations,
  type MigrationClass,
  MigrationNotRegisteredError,
} from './feature-migrations';
export { embeddedDatabaseUrl } from './embedded-url';
export { deleteIfMatch, updateIfMatch, type VersionedEntity } from './versioned-writes';
