import type { QueryRunner } from 'typeorm';

/*
 * TypeORM's query runner tracks an open transaction in its public `isTransactionActive` field, and its persistence
 * (`manager.save`, query builders) starts a transaction of its own only when that field is false. The idempotency
 * store begins and commits the key's transaction itself, batched with its own statements in one round trip each
 * (TypeORM's startTransaction and commitTransaction would add a round trip apiece), so it sets the field around
 * the transaction it opened. adopted-transaction.spec.ts fails on the TypeORM release that changes this contract.
 */

/** The field as TypeORM's BaseQueryRunner declares it (the QueryRunner interface exposes it read-only). */
type Mutable = { isTransactionActive: boolean };

/** Tells TypeORM that `runner`'s connection is inside a transaction begun by a raw `START TRANSACTION`. */
export function adoptTransaction(runner: QueryRunner): void {
  (runner as unknown as Mutable).isTransactionActive = true;
}

/** Tells TypeORM that the adopted transaction ended (committed or rolled back by a raw statement). */
export function endAdoptedTransaction(runner: QueryRunner): void {
  (runner as unknown as Mutable).isTransactionActive = false;
}
