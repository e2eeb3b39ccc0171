/** The idempotency module's public surface: what features import. */
export { IdempotencyModule } from './idempotency.module';
export { Idempotent, type IdempotentOptions } from './idempotent.decorator';
export { IdempotencyInterceptor } from './idempotency.interceptor';
export { TransactionRunner } from './transaction-runner.service';
export { IdempotencyCleanup } from './idempotency-cleanup.service';
export { idempotencyMigrations } from './idempotency.migrations';
export {
  IdempotencyKeyInProgressError,
  IdempotencyKeyInvalidError,
  IdempotencyKeyMismatchError,
  IdempotencyKeyMissingError,
} from './idempotency.errors';
export { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_REPLAYED_HEADER, IDEMPOTENCY_METRIC, MAX_KEY_LENGTH } from './idempotency.constants';
export { isFinalStatus } from './stored-response';
