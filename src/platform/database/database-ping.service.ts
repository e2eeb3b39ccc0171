import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { AllConfig } from '../../config/app-config';
import { ShutdownRegistry } from '../lifecycle/shutdown-registry.service';
import { READINESS_APPLICATION_NAME } from './database.constants';

/** `SELECT 1` failed; the message is fit for the health body (no host, no driver text). */
export class DatabasePingError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = DatabasePingError.name;
  }
}

/**
 * `SELECT 1` over one dedicated connection, outside the pool and the request permits: readiness asks
 * "does the database answer?", not "is there a free pooled connection?" (a saturated pool already sheds
 * with 503s; failing readiness under load would pull every replica out of rotation at once). The connection
 * is opened on first use and dropped on any error or abort, so a hung or dead one is never reused.
 */
@Injectable()
export class DatabasePing implements OnApplicationShutdown {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private lastFailureValue: string | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: ConfigService<AllConfig, true>,
    shutdown: ShutdownRegistry,
  ) {
    shutdown.register('clients', 'readiness database connection', () => this.close());
  }

  /** The driver's description of the last failure, for the log only. */
  get lastFailure(): string | undefined {
    return this.lastFailureValue;
  }

  /** Resolves when the database answered `SELECT 1`; `signal` aborts it and drops the connection. */
  async ping(signal: AbortSignal): Promise<void> {
    const onAbort = () => this.discard();
    signal.addEventListener('abort', onAbort, { once: true });
    let stage = 'cannot connect to the database';
    try {
      const client = await this.connection();
      stage = 'SELECT 1 failed';
      await client.query('SELECT 1');
      this.lastFailureValue = undefined;
    } catch (error) {
      this.lastFailureValue = error instanceof Error ? error.message : String(error);
      this.discard();
      throw new DatabasePingError(stage, error);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Ends the connection (idempotent). */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.connecting = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Also closed by Nest's hooks, for apps closed without the coordinator (tests). */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private connection(): Promise<Client> {
    if (this.client && this.connecting === undefined) return Promise.resolve(this.client);
    this.connecting ??= this.open();
    return this.connecting;
  }

  private async open(): Promise<Client> {
    const timeoutMs = this.config.get('health.dbTimeoutMs', { infer: true });
    const client = new Client({
      connectionString: (this.dataSource.options as { url?: string }).url,
      application_name: READINESS_APPLICATION_NAME,
      connectionTimeoutMillis: timeoutMs,
      statement_timeout: timeoutMs,
    });
    // A dead connection emits 'error' with no query to reject: drop it (an unhandled 'error' would crash).
    client.on('error', () => this.discard(client));
    client.on('end', () => this.discard(client));
    this.client = client;
    try {
      await client.connect();
      return client;
    } finally {
      if (this.client === client) this.connecting = undefined;
    }
  }

  /** Forgets the connection and ends it without waiting; pg destroys the socket when a query hangs on it. */
  private discard(client: Client | undefined = this.client): void {
    if (!client) return;
    if (this.client === client) {
      this.client = undefined;
      this.connecting = undefined;
    }
    client.end().catch(() => undefined);
  }
}
