import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ServiceUnavailableError } from '../errors/problem.error';
import { type CheckoutGuard, guardConnectionCheckouts } from './connection-checkout';
import { DatabaseConnectionService } from './database-connection.service';

/** Seconds a client is told to wait while the database is still starting. */
const NOT_READY_RETRY_AFTER_S = 2;

/**
 * Refuses every connection checkout while the database lifecycle is still `connecting` (connecting, migrating,
 * warming the pool), except the lifecycle's own start-up work: no request, and no background job, ever runs a
 * query against a schema whose migrations have not run yet. The caller gets the SPEC's 503
 * `database-unavailable` with Retry-After, at the one place every query passes through, so no route has to
 * check readiness itself.
 */
@Injectable()
export class DatabaseReadinessGuard implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly connection: DatabaseConnectionService,
  ) {}

  onModuleInit(): void {
    guardConnectionCheckouts(this.dataSource, this.guard);
  }

  /** Not an async function: a ready database costs no promise of its own per checkout. */
  private readonly guard: CheckoutGuard = (obtain) => {
    if (this.connection.state === 'connecting' && !this.connection.isStartupWork()) {
      return Promise.reject(
        new ServiceUnavailableError('database-unavailable', 'The database is not ready yet (starting up).', NOT_READY_RETRY_AFTER_S),
      );
    }
    return obtain();
  };
}
