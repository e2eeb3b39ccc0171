import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import { Client, type QueryResult, type QueryResultRow } from 'pg';
import request from 'supertest';
import { recordResponses, saveContractTally, takeContractFailures } from '../contract/contract-recorder';
import { AppModule, loadAppConfig } from '../../src/app.module';
import type { AllConfig } from '../../src/config/app-config';
import { DatabaseConnectionService } from '../../src/platform/database/database-connection.service';
import { configureHttpServer } from '../../src/platform/http-server/configure-http-server';
import { authDefaults } from './auth-defaults';
import { createTestDatabase, type TestDatabase } from './test-database';

/**
 * Every test client is 127.0.0.1: without this, the default 10/s per client would refuse ordinary tests.
 * Rate-limit tests set their own limits.
 */
export const TEST_RATE_LIMIT = { RATE_LIMIT_PER_SECOND: '100000', RATE_LIMIT_BURST: '100000' };

/** A booted application on its own fresh database. */
export interface TestApp {
  app: INestApplication;
  server: Server;
  config: AllConfig;
  database: TestDatabase;
  /** Runs SQL on the app's database over a separate connection (not through the app's pool). */
  query<R extends QueryResultRow>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
  /** Closes the app, then drops its database. */
  close(): Promise<void>;
}

/** Extras for {@link createTestApp}. */
export interface TestAppOptions {
  /** Test-only modules (e.g. a controller with a slow route) composed next to the real AppModule. */
  extraImports?: Array<Type | DynamicModule>;
}

/**
 * Boots the real AppModule in-process, exactly as `main.ts` does, on a new database of the test server,
 * and waits until migrations ran. `env` overrides variables (as strings, validated like the real env).
 */
export async function createTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  let app: NestExpressApplication | undefined;
  try {
    const config = loadAppConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DB_POOL_MIN: '1',
      DATABASE_URL: database.url,
      ...TEST_RATE_LIMIT,
      ...authDefaults(env),
      ...env,
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config), ...(options.extraImports ?? [])] }).compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: ['error', 'warn'] });
    configureHttpServer(app);
    await app.init();
    await app.get(DatabaseConnectionService).whenReady();
    return await testApp(app, config, database);
  } catch (error) {
    // A set-up that fails must not leave a pool, a server or a database behind: they would keep jest running.
    await app?.close().catch(() => undefined);
    await database.drop().catch(() => undefined);
    throw error;
  }
}

async function testApp(app: NestExpressApplication, config: AllConfig, database: TestDatabase): Promise<TestApp> {
  const server = app.getHttpServer();
  // Every response from here on is validated against the app's own document (test/contract/contract-recorder.ts).
  const document = await openApiDocument(server);
  if (document) recordResponses(server, document);
  return {
    app,
    server,
    config,
    database,
    query: async <R extends QueryResultRow>(sql: string, params?: unknown[]) => {
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        return await client.query<R>(sql, params);
      } finally {
        await client.end();
      }
    },
    close: async () => {
      try {
        await app.close();
      } finally {
        await database.drop();
      }
      // Responses that finished after the last test (during close) fail the file's afterAll.
      saveContractTally(expect.getState().testPath);
      const failures = takeContractFailures();
      if (failures.length > 0) throw new Error(`responses that break /docs-json:\n  ${failures.join('\n  ')}`);
    },
  };
}

let lastDocument: object | undefined;

/** The app's /docs-json; with the docs turned off (production), the last one this worker fetched, if any. */
async function openApiDocument(server: Server): Promise<object | undefined> {
  const res = await request(server).get('/docs-json');
  if (res.status === 200) lastDocument = res.body as object;
  return lastDocument;
}
