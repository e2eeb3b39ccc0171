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
  Res,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** Header of a test request to the located route: the principal its `principal` hook returns (an authenticated user). */
export const PRINCIPAL_HEADER = 'x-test-principal';

/**
 * A create that answers with `Location` and scopes its keys by a principal (as an authenticated route does with its
 * user id) instead of the client: what the users route cannot show. Writes one `idem_probe` row per run.
 */
@Controller('test/located')
class LocatedController {
  constructor(private readonly transactions: TransactionRunner) {}

  @Post()
  @HttpCode(201)
  @Idempotent({ principal: (req) => (req as IncomingMessage).headers[PRINCIPAL_HEADER] as string | undefined })
  async create(@Body() body: { tag: string }, @Res({ passthrough: true }) res: ServerResponse): Promise<{ id: number }> {
    const [row] = await this.transactions.run<{ id: number }[]>((manager) =>
      manager.query(`INSERT INTO idem_probe (tag) VALUES ($1) RETURNING id`, [body.tag]),
    );
    res.setHeader('Location', `/test/located/${row.id}`);
    return { id: row.id };
  }
}

/** Test-only routes and the response hold (composed through createTestApp's `extraImports`). */
@Module({
  controllers: [ProbeController, LocatedController],
  providers: [{ provide: APP_INTERCEPTOR, useClass: HoldResponseInterceptor }],
})
export class IdempotencyTestModule {}
