import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { AllConfig } from '../../config/app-config';
import { ShutdownRegistry } from '../lifecycle/shutdown-registry.service';
import { EmbeddedPostgresService } from './embedded-postgres.service';

/** Advisory lock key serialising migrations across replicas (any constant unique to this service). */
const MIGRATION_LOCK_KEY = 4_207_001;

/** Backoff between connection attempts while the database is unreachable at start. */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5000;

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

  onApplicationBootstrap(): void {
    this.connecting = this.connectWithRetry();
  }

  private async connectWithRetry(): Promise<void> {
    const started = Date.now();
    for (let attempt = 1, delay = RETRY_MIN_MS; this.stateValue === 'connecting'; attempt++) {
      try {
        await this.probe();
        await this.dataSource.initialize();
        if (this.config.get('database.runMigrations', { infer: true })) await this.migrate();
        await this.warmPool();
        if (this.stateValue === 'connecting') this.stateValue = 'ready';
        this.logger.log(`database ready in ${Date.now() - started} ms (attempt ${attempt})`);
        break;
      } catch (error) {
        if (this.dataSource.isInitialized) await this.dataSource.destroy().catch(() => undefined);
        this.logger.warn(`database not reachable (attempt ${attempt}): ${describe(error)}; retrying in ${delay} ms`);
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
   */
  private async migrate(): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      try {
        const applied = await this.dataSource.runMigrations({ transaction: 'each' });
        if (applied.length > 0) this.logger.log(`applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`);
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      }
    } finally {
      await runner.release();
    }
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
