import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { activeClaim } from './active-claim';
import { lostConnection } from './lost-connection';

/**
 * The platform's transaction helper: `runner.run((manager) => manager.save(...))`. Outside an idempotent request it
 * is a plain transaction (commit on success, rollback on error). Inside one, `work` runs in the transaction that holds
 * the key (opened by the interceptor with the claim): the interceptor writes the completed key and the response into
 * it and commits both — so the feature's write and its key exist together or not at all, whatever dies in between
 * (process, connection, deadline). An error rolls the whole transaction back (the interceptor does). Every `run` of
 * the request joins that one transaction.
 */
@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger('TransactionRunner');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Runs `work` in a transaction; see the class comment for when it commits. */
  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const claim = activeClaim();
    if (claim) {
      claim.joined = true;
      try {
        return await work(claim.claim.runner.manager);
      } catch (error) {
        throw lostConnection(error);
      }
    }
    const runner = this.dataSource.createQueryRunner();
    let result: T;
    try {
      await runner.connect();
      await runner.startTransaction();
      result = await work(runner.manager);
    } catch (error) {
      await this.abandon(runner);
      throw lostConnection(error);
    }
    try {
      await runner.commitTransaction();
    } catch (error) {
      await this.abandon(runner);
      throw lostConnection(error);
    }
    await runner.release();
    return result;
  }

  /** Rolls back (if a transaction is open) and releases; a connection that failed is destroyed by the pool. */
  async abandon(runner: QueryRunner): Promise<void> {
    try {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
    } catch (error) {
      this.logger.debug(`rollback failed: ${String(error)}`);
    }
    try {
      await runner.release();
    } catch (error) {
      this.logger.debug(`release failed: ${String(error)}`);
    }
  }
}
