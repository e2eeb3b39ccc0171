import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ShutdownRegistry } from '../lifecycle/shutdown-registry.service';
import { CLEANUP } from './idempotency.constants';
import { IdempotencyStore } from './idempotency.store';

/**
 * Deletes expired keys on an interval, in bounded batches (CLEANUP: at most batchSize × maxBatchesPerRun rows per run,
 * each DELETE short), so the table does not grow without bound and no DELETE holds locks for long. Every replica runs
 * it; concurrent runs only split the work. Stops before the database closes (ShutdownRegistry, `clients` phase).
 */
@Injectable()
export class IdempotencyCleanup implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('IdempotencyCleanup');
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly store: IdempotencyStore,
    shutdown: ShutdownRegistry,
  ) {
    shutdown.register('clients', 'idempotency-cleanup', () => this.stop());
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce(), CLEANUP.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** One bounded run (also for tests); returns the rows deleted. A run already under way is joined, not doubled. */
  runOnce(batchSize: number = CLEANUP.batchSize): Promise<number> {
    this.running ??= this.sweep(batchSize).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the interval and waits for a run under way. Idempotent. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async sweep(batchSize: number): Promise<number> {
    let deleted = 0;
    try {
      for (let batch = 0; batch < CLEANUP.maxBatchesPerRun; batch++) {
        const rows = await this.store.deleteExpired(batchSize);
        deleted += rows;
        if (rows < batchSize || this.timer === undefined) break;
      }
    } catch (error) {
      // The database being away is the health checks' business; the next run tries again.
      this.logger.debug(`cleanup of expired idempotency keys failed: ${String(error)}`);
    }
    return deleted;
  }
}
