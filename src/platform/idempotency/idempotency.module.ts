import { Global, Module } from '@nestjs/common';
import { IdempotencyCleanup } from './idempotency-cleanup.service';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { idempotencyMetricProviders } from './idempotency.metrics';
import { IdempotencyStore } from './idempotency.store';
import { TransactionRunner } from './transaction-runner.service';

/**
 * Idempotency-Key support and the platform transaction helper. Global: `@Idempotent()` binds its interceptor in the
 * feature's module, and features inject `TransactionRunner`. Needs the DatabaseModule (the DataSource) and its
 * migrations registered (`idempotencyMigrations`, collected with the features' by src/platform/composition).
 */
@Global()
@Module({
  providers: [IdempotencyStore, TransactionRunner, IdempotencyInterceptor, IdempotencyCleanup, ...idempotencyMetricProviders],
  exports: [IdempotencyStore, TransactionRunner, IdempotencyInterceptor, IdempotencyCleanup, ...idempotencyMetricProviders],
})
export class IdempotencyModule {}
