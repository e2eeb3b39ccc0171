import {
  Body,
  type CallHandler,
  Controller,
  type ExecutionContext,
  Headers,
  HttpCode,
  Injectable,
  Module,
  type NestInterceptor,
  Post,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { concatMap, type Observable } from 'rxjs';
import { Idempotent, TransactionRunner } from '../../src/platform/idempotency';

/** Header of a test request: hold the finished response this many ms (after the commit) before it is sent. */
export const HOLD_RESPONSE_HEADER = 'x-test-hold-response-ms';

/** Header of a test request to the probe route: keep its write's transaction open this many ms. */
export const HOLD_TRANSACTION_HEADER = 'x-test-hold-transaction-ms';

/**
 * Global, so outermost: it sees the handler's result after the idempotency interceptor committed it and holds it,
 * as a slow network, a GC pause or a proxy does — the client gets the deadline's 504 for a write that committed.
 */
@Injectable()
class HoldResponseInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const holdMs = Number(context.switchToHttp().getRequest<IncomingMessage>().headers[HOLD_RESPONSE_HEADER] ?? 0);
    return next.handle().pipe(concatMap(async (value: unknown) => (holdMs > 0 ? (await sleep(holdMs), value) : value)));
  }
}

/** A test-only feature that writes one row per run into `idem_probe` and can hold its open transaction. */
@Controller('test/probe')
class ProbeController {
  constructor(private readonly transactions: TransactionRunner) {}

  /**
   * Inserts a probe row through the TransactionRunner, then sleeps HOLD_TRANSACTION_HEADER ms with the transaction
   * open (a header, not the body: a retry of the same payload may then be fast).
   */
  @Post()
  @HttpCode(201)
  @Idempotent({ required: true })
  async create(@Body() body: { tag: string }, @Headers(HOLD_TRANSACTION_HEADER) holdMs?: string): Promise<{ tag: string }> {
    await this.transactions.run((manager) => manager.query(`INSERT INTO idem_probe (tag) VALUES ($1)`, [body.tag]));
    if (Number(holdMs) > 0) await sleep(Number(holdMs));
    return { tag: body.tag };
  }
}

/** Test-only routes and the response hold (composed through createTestApp's `extraImports`). */
@Module({ controllers: [ProbeController], providers: [{ provide: APP_INTERCEPTOR, useClass: HoldResponseInterceptor }] })
export class IdempotencyTestModule {}
