import { Global, Module } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BrokenConnectionGuard } from './broken-connection.guard';
import { DATABASE_MIGRATIONS } from './database.constants';
import { DatabaseConnectionService } from './database-connection.service';
import { DatabaseHealthIndicator } from './database.health';
import { DatabasePing } from './database-ping.service';
import { DatabaseErrorsTranslation } from './database-errors.translation';
import { DatabaseMetricsService } from './database-metrics.service';
import { DatabasePermitsCheckout } from './database-permits.checkout';
import { DatabaseReadinessGuard } from './database-readiness.guard';
import { DATABASE_MODULE_OPTIONS, DatabaseConfigurableModule, type DatabaseModuleOptions } from './database.module-definition';
import { EmbeddedPostgresService } from './embedded-postgres.service';
import { TypeOrmConfigService } from './typeorm-config.service';

/** Internal: the providers TypeORM's options factory needs (embedded server, migrations). */
@Module({
  providers: [
    EmbeddedPostgresService,
    {
      provide: DATABASE_MIGRATIONS,
      inject: [DATABASE_MODULE_OPTIONS],
      useFactory: (options: DatabaseModuleOptions) => options.migrations,
    },
  ],
  exports: [EmbeddedPostgresService, DATABASE_MIGRATIONS],
})
class DatabaseOptionsModule extends DatabaseConfigurableModule {}

/**
 * TypeORM + pg with the SPEC pool settings, embedded PostgreSQL when `DATABASE_URL` is unset, migrations
 * at start, and a background connection lifecycle. Features use `TypeOrmModule.forFeature([...])`.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions) {
    const optionsModule = DatabaseOptionsModule.forRoot(options);
    return {
      module: DatabaseModule,
      imports: [optionsModule, TypeOrmModule.forRootAsync({ imports: [optionsModule], useClass: TypeOrmConfigService })],
      // Checkout guards (each wraps the previous; any order is correct): broken connections are destroyed,
      // a checkout made for a request holds a `db` permit (the pool ResilienceModule provides), and none is
      // handed out before the database is ready except to the start-up work.
      // The readiness check (`SELECT 1` on its own connection) registers itself with the health module.
      providers: [
        DatabaseConnectionService,
        DatabaseErrorsTranslation,
        BrokenConnectionGuard,
        DatabasePermitsCheckout,
        DatabaseReadinessGuard,
        DatabaseMetricsService,
        HealthIndicatorService,
        DatabasePing,
        DatabaseHealthIndicator,
      ],
      exports: [DatabaseConnectionService, optionsModule],
    };
  }
}
