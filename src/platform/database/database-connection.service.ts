import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource, MigrationExecutor, type QueryRunner } from 'typeorm';
import type { AllConfig } from '../../config/app-config';
import { ShutdownRegistry } from '../lifecycle/shutdown-registry.service';
import { EmbeddedPostgresService } from './embedded-postgres.service';

/** Advisory lock key serialising migrations across replicas (any constant unique to this service). */
export const MIGRATION_LOCK_KEY = 4_207_001;

/** Pause between two tries of the migration lock while another replica holds it. */
const LOCK_POLL_MS = 200;

/** Another replica held the migration lock for longer than DB_MIGRATION_LOCK_TIMEOUT_MS: the start gives up. */
export class MigrationLockTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(
      `another process has held the migration lock (PostgreSQL advisory lock ${MIGRATION_LOCK_KEY}) for over ${timeoutMs} ms ` +
        '(DB_MIGRATION_LOCK_TIMEOUT_MS): its migrations are still running or it hangs. Look for it in pg_locks ' +
        `(locktype = 'advisory' AND objid = ${MIGRATION_LOCK_KEY}) and pg_stat_activity; raise DB_MIGRATION_LOCK_TIMEOUT_MS ` +
        'for a long migration, or run migrations in a separate job (DB_RUN_MIGRATIONS=false).',
    );
    this.name = MigrationLockTimeoutError.name;
  }
}

/** Backoff between connection attempts while the database is unreachable at start. */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5000;

/** The start-up steps, named in the log when one fails. */
type StartupStep = 'connect' | 'initialise the pool' | 'run migrations' | 'warm the pool';

/** Where the database connection is in its life. */
export type DatabaseState = 'connecting' | 'ready' | 'closing' | 'closed';

/**
 * Owns the DataSource's life: connects in the background (retrying forever with capped backoff while the
 * database is unreachable, so the process serves live 200 / ready 503 instead of crash-looping), runs
 * pending migrations, warms `DB_POOL_MIN` connections, then reports ready. At shutdown it closes the pool
 * and then the embedded PostgreSQL, in that order.
 */
@Injectable()
export class DatabaseConnectionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private stateValue: DatabaseState = 'connecting';
  private connecting: Promise<void> | undefined;
  private readyWaiters: Array<() => void> = [];
  private stopRetry: (() => void) | undefined;
  /** Marks the async chain of the start-up work, the only checkouts allowed before `ready`. */
  private readonly startupWork = new AsyncLocalStorage<true>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: ConfigService<AllConfig, true>,
    private readonly embedded: EmbeddedPostgresService,
    shutdown: ShutdownRegistry,
  ) {
    // Closed by the shutdown coordinator after the HTTP drain, last of all resources.
    shutdown.register('database', 'database pool', () => this.close());
  }

  /** Current state; `ready` means migrations ran and the pool is warm. */
  get state(): DatabaseState {
    return this.stateValue;
  }

  /** Resolves once the database is ready (never rejects; shutdown resolves it too). */
  whenReady(): Promise<void> {
    if (this.stateValue !== 'connecting') return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** True inside the lifecycle's own start-up work (pool initialisation, migrations, warm-up). */
  isStartupWork(): boolean {
    return this.startupWork.getStore() === true;
  }

  onApplicationBootstrap(): void {
    this.connecting = this.startupWork.run(true, () => this.connectWithRetry());
  }

  private async connectWithRetry(): Promise<void> {
    const started = Date.now();
    for (let attempt = 1, delay = RETRY_MIN_MS; this.stateValue === 'connecting'; attempt++) {
      let step: StartupStep = 'connect';
      try {
        await this.probe();
        step = 'initialise the pool';
        await this.dataSource.initialize();
        step = 'run migrations';
        if (this.config.get('database.runMigrations', { infer: true })) await this.migrate();
        step = 'warm the pool';
        await this.warmPool();
        if (this.stateValue === 'connecting') this.stateValue = 'ready';
        this.logger.log(`database ready in ${Date.now() - started} ms (attempt ${attempt})`);
        break;
      } catch (error) {
        if (error instanceof MigrationLockTimeoutError) return this.giveUp(error);
        if (this.dataSource.isInitialized) await this.dataSource.destroy().catch(() => undefined);
        // Only the probe's failure says anything about the database: later steps wait inside the service too
        // (pool, advisory lock), and blaming the database for those sends the operator the wrong way.
        const what = step === 'connect' ? 'database not reachable' : `database start-up failed (could not ${step})`;
        this.logger.warn(`${what} (attempt ${attempt}): ${describe(error)}; retrying in ${delay} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.stopRetry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.stopRetry = undefined;
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      }
    }
    this.readyWaiters.splice(0).forEach((resolve) => resolve());
  }

  /**
   * Runs pending migrations under a PostgreSQL advisory lock: replicas starting together (a rollout, a scale-up)
   * would otherwise race on the same migration. TypeORM takes no lock of its own. The lock is session-level on
   * one dedicated connection and released in `finally`; a crashed holder releases it with its session.
   * The migrations run on that same connection (TypeORM's `runMigrations` would take a second one, which a
   * pool of one can never give while the lock holder waits for it: DB_POOL_MAX=1 would never start).
   */
  private async migrate(): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await this.lockMigrations(runner);
      try {
        const executor = new MigrationExecutor(this.dataSource, runner);
        executor.transaction = 'each';
        const applied = await executor.executePendingMigrations();
        if (applied.length > 0) this.logger.log(`applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`);
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Takes the migration lock, waiting at most DB_MIGRATION_LOCK_TIMEOUT_MS while another replica holds it. Polled with
   * `pg_try_advisory_lock` rather than a blocking `pg_advisory_lock`: the wait is then bounded by this setting alone
   * (not cut short by statement_timeout), and a shutdown ends it.
   */
  private async lockMigrations(runner: QueryRunner): Promise<void> {
    const timeoutMs = this.config.get('database.migrationLockTimeoutMs', { infer: true });
    const deadline = Date.now() + timeoutMs;
    for (let waited = false; ; waited = true) {
      const [row] = (await runner.query('SELECT pg_try_advisory_lock($1) AS "locked"', [MIGRATION_LOCK_KEY])) as Array<{ locked: boolean }>;
      if (row?.locked) {
        if (waited) this.logger.log('migration lock taken: the other process has finished its migrations');
        return;
      }
      if (!waited)
        this.logger.log(`waiting for another process's migrations (advisory lock ${MIGRATION_LOCK_KEY}), at most ${timeoutMs} ms`);
      if (this.stateValue !== 'connecting') throw new Error('shutting down while waiting for the migration lock');
      if (Date.now() >= deadline) throw new MigrationLockTimeoutError(timeoutMs);
      await sleep(Math.min(LOCK_POLL_MS, Math.max(0, deadline - Date.now())));
    }
  }

  /**
   * A start that cannot finish without an operator: logs why, closes the pool and the embedded PostgreSQL, and exits 1
   * (retrying would only wait on the same lock again while the process looks alive).
   */
  private async giveUp(error: Error): Promise<void> {
    this.logger.error(`database start-up failed: ${error.message}`);
    this.stateValue = 'closing';
    // Not close(): it waits for this very start-up to end.
    if (this.dataSource.isInitialized) await this.dataSource.destroy().catch(() => undefined);
    await this.embedded.stop().catch(() => undefined);
    process.exit(1);
  }

  /** A single throwaway connection first, so a down database never leaves a half-built pool behind. */
  private async probe(): Promise<void> {
    const options = this.dataSource.options as { url?: string };
    const client = new Client({
      connectionString: options.url,
      connectionTimeoutMillis: this.config.get('database.acquireTimeoutMs', { infer: true }),
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Opens `DB_POOL_MIN` connections at once, so the first requests do not pay for connection set-up. */
  private async warmPool(): Promise<void> {
    const min = this.config.get('database.poolMin', { infer: true });
    const runners = Array.from({ length: min }, () => this.dataSource.createQueryRunner());
    try {
      await Promise.all(runners.map((runner) => runner.connect()));
    } finally {
      await Promise.all(runners.map((runner) => runner.release()));
    }
  }

  /** Closes the pool, then the embedded PostgreSQL; each step bounded by its own driver timeouts. */
  async close(): Promise<void> {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closing';
    this.stopRetry?.();
    await this.connecting?.catch(() => undefined);
    try {
      if (this.dataSource.isInitialized) {
        await this.dataSource.destroy();
        this.logger.log('connection pool closed');
      }
    } finally {
      try {
        await this.embedded.stop();
      } finally {
        this.stateValue = 'closed';
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
