import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { TypeOrmModuleOptions, TypeOrmOptionsFactory } from '@nestjs/typeorm';
import type { AllConfig } from '../../config/app-config';
import { DATABASE_APPLICATION_NAME, DATABASE_MIGRATIONS } from './database.constants';
import { EmbeddedPostgresService } from './embedded-postgres.service';
import type { DataSourceOptions } from 'typeorm';

/** Idle time before the first TCP keep-alive probe on a pg socket. */
export const PG_KEEPALIVE_IDLE_MS = 10_000;

/** Builds the TypeORM options from the `database` config namespace: every pool setting wired to pg-pool. */
@Injectable()
export class TypeOrmConfigService implements TypeOrmOptionsFactory {
  constructor(
    private readonly config: ConfigService<AllConfig, true>,
    private readonly embedded: EmbeddedPostgresService,
    @Inject(DATABASE_MIGRATIONS) private readonly migrations: NonNullable<DataSourceOptions['migrations']>,
  ) {}

  async createTypeOrmOptions(): Promise<TypeOrmModuleOptions> {
    const db = this.config.get('database', { infer: true });
    const url = await this.embedded.resolveUrl();
    return {
      type: 'postgres',
      url,
      autoLoadEntities: true,
      synchronize: false,
      migrations: this.migrations,
      migrationsRun: false,
      migrationsTransactionMode: 'each',
      // The database lifecycle connects in the background with retries, so a database that is down at
      // start leaves the process up (live 200, ready 503) instead of crash-looping.
      manualInitialization: true,
      applicationName: DATABASE_APPLICATION_NAME,
      poolSize: db.poolMax,
      extra: {
        max: db.poolMax,
        min: db.poolMin,
        // pg-pool applies this to both a new connection and the wait for a free one: the acquire timeout.
        connectionTimeoutMillis: db.acquireTimeoutMs,
        idleTimeoutMillis: db.idleTimeoutMs,
        maxLifetimeSeconds: Math.ceil(db.maxLifetimeMs / 1000),
        // Server side: PostgreSQL cancels statements running longer than this.
        statement_timeout: db.statementTimeoutMs,
        // Client side: statement_timeout cannot fire across a network partition; this can.
        query_timeout: db.statementTimeoutMs + 1000,
        // TCP keep-alive so a half-open connection (peer gone without FIN/RST) is noticed while idle in the pool:
        // Node sets TCP_KEEPIDLE to this delay, TCP_KEEPINTVL 1 s, TCP_KEEPCNT 10 (libuv), so a silent peer is
        // declared dead ~20 s after the last byte. A connection busy with a query is bounded by query_timeout,
        // after which BrokenConnectionGuard destroys it.
        keepAlive: true,
        keepAliveInitialDelayMillis: PG_KEEPALIVE_IDLE_MS,
      },
    };
  }
}
