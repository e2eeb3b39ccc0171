import { type CallHandler, type ExecutionContext, Injectable, Logger, type NestInterceptor } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Counter } from 'prom-client';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { AllConfig } from '../../config/app-config';
import { routeLabel } from '../observability/route-label';
import { RATE_LIMIT_KEY_METADATA } from '../rate-limit/rate-limit.constants';
import type { RateLimitKeyFn } from '../rate-limit/rate-limit.decorator';
import { clientKeyOf, contextOf, runInRequestContext } from '../request-context/request-context';
import { type ActiveClaim, attachClaim, detachClaim } from './active-claim';
import {
  CLAIM_LEASE_MARGIN_MS,
  IDEMPOTENCY_METRIC,
  IDEMPOTENT_METADATA,
  type IdempotencyOutcome,
  SETTLE_WAIT_MS,
} from './idempotency.constants';
import { IdempotencyKeyInProgressError, IdempotencyKeyMismatchError, IdempotencyKeyMissingError } from './idempotency.errors';
import { fingerprintOf, parseIdempotencyKey } from './idempotency-key';
import { lostConnection } from './lost-connection';
import { type Claim, IdempotencyStore } from './idempotency.store';
import type { IdempotentOptions } from './idempotent-options.interface';
import { isFinalStatus, pickHeaders, replay, responseOf } from './stored-response';
import { TransactionRunner } from './transaction-runner.service';

type Req = IncomingMessage & { body?: unknown; originalUrl?: string; method: string };

/**
 * Reads `@Idempotent()` and serves its routes: validates the key, claims it (or answers 409/422, or replays the
 * stored outcome), runs the handler, then stores a final outcome — in the feature's transaction when the handler
 * wrote through {@link TransactionRunner}, committing both — or releases the claim so that a retry runs again.
 * `clientOf` is the extension hook for scoping keys.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');
  private readonly ttlSeconds: number;
  private readonly leaseMs: number;
  private readonly outcomes: Record<IdempotencyOutcome, Counter.Internal>;

  constructor(
    private readonly reflector: Reflector,
    private readonly store: IdempotencyStore,
    private readonly transactions: TransactionRunner,
    config: ConfigService<AllConfig, true>,
    @InjectMetric(IDEMPOTENCY_METRIC.requests) requests: Counter<string>,
  ) {
    this.ttlSeconds = config.get('idempotency.ttlSeconds', { infer: true });
    this.leaseMs = config.get('resilience.requestTimeoutMs', { infer: true }) + CLAIM_LEASE_MARGIN_MS;
    this.outcomes = {
      first: requests.labels('first'),
      replayed: requests.labels('replayed'),
      in_progress: requests.labels('in_progress'),
      mismatch: requests.labels('mismatch'),
    };
    for (const counter of Object.values(this.outcomes)) counter.inc(0);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.getAllAndOverride<IdempotentOptions | undefined>(IDEMPOTENT_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!options || context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Req>();
    const key = parseIdempotencyKey(req.headers['idempotency-key']);
    if (key === undefined) {
      if (options.required) throw new IdempotencyKeyMissingError();
      return next.handle();
    }
    return from(this.serve(context, next, req, key, options));
  }

  /**
   * Who the key belongs to: the route's principal hook, else `@RateLimitKey`'s value, else the request's client key
   * (the authenticated principal, else the IP, IPv6 by /64): two callers never share a stored response. Override to
   * scope by something else; hook values are hashed (they may be secrets).
   */
  protected async clientOf(req: Req, context: ExecutionContext, options: IdempotentOptions): Promise<string> {
    const principal = options.principal ? await options.principal(req, context) : undefined;
    if (principal) return `principal:${hash(principal)}`;
    const keyFn = this.reflector.getAllAndOverride<RateLimitKeyFn | undefined>(RATE_LIMIT_KEY_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    const value = keyFn ? await keyFn(req, context) : undefined;
    if (value) return `key:${hash(value)}`;
    return clientKeyOf(req);
  }

  private async serve(context: ExecutionContext, next: CallHandler, req: Req, key: string, options: IdempotentOptions): Promise<unknown> {
    const res = context.switchToHttp().getResponse<ServerResponse>();
    const scope = `${await this.clientOf(req, context, options)} ${req.method} ${routeLabel(req)}`;
    const fingerprint = fingerprintOf(req.method, req.originalUrl ?? req.url ?? '', req.body);
    // A row can vanish between a failed claim and the lookup (released or cleaned): then claim again, a bounded few times.
    for (let attempt = 0; attempt < 3; attempt++) {
      const claim = await this.store.claim(scope, key, fingerprint, this.leaseMs, this.ttlSeconds);
      if (claim) {
        this.outcomes.first.inc();
        return this.runFirst(claim, next, req, res);
      }
      const conflict = await this.store.conflictOf(scope, key);
      if (!conflict) continue;
      if (conflict.fingerprint !== fingerprint) {
        this.outcomes.mismatch.inc();
        throw new IdempotencyKeyMismatchError();
      }
      if (conflict.kind === 'in_progress') {
        this.outcomes.in_progress.inc();
        throw new IdempotencyKeyInProgressError(conflict.retryAfterSeconds);
      }
      this.outcomes.replayed.inc();
      return replay(res, conflict.response);
    }
    this.outcomes.in_progress.inc();
    throw new IdempotencyKeyInProgressError(1);
  }

  private async runFirst(claim: Claim, next: CallHandler, req: Req, res: ServerResponse): Promise<unknown> {
    const requestContext = contextOf(req);
    const active: ActiveClaim = { claim };
    attachClaim(requestContext, active);
    let value: unknown;
    try {
      value = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      detachClaim(requestContext);
      if (active.transaction) await this.transactions.abandon(active.transaction);
      this.settleAfterError(claim, res);
      throw error;
    }
    detachClaim(requestContext);
    const response = responseOf(res, value);
    const runner = active.transaction;
    if (runner) {
      try {
        // Lost claim: the lease ran out and another attempt took the key; committing would write twice.
        if (!(await this.store.complete(claim, response, runner))) throw new IdempotencyKeyInProgressError(1);
        await runner.commitTransaction();
      } catch (failure) {
        const error = lostConnection(failure);
        await this.transactions.abandon(runner);
        this.settleAfterError(claim, res);
        throw error;
      }
      await runner.release();
    } else {
      // The handler wrote elsewhere (or not at all): record the outcome on its own; failing that, the lease frees the key.
      await this.store.complete(claim, response).catch((error: unknown) => this.logger.warn(`outcome not stored: ${String(error)}`));
    }
    // Already answered (the deadline's 504 went out while the handler ran): the stored outcome is for the retry.
    const contentType = response.headers['content-type'];
    if (contentType !== undefined && !res.headersSent) res.setHeader('Content-Type', contentType);
    return response.body.length > 0 ? response.body.toString('utf8') : undefined;
  }

  /**
   * After a failed handler: a final outcome (a 4xx other than 408/409/425/429) is stored, anything else releases the
   * claim so that a retry runs again. Either happens when the error filter ends the response and before the bytes
   * leave, so a client's next attempt already sees it; the filter stays the one renderer of problems and the stored
   * bytes are exactly what it sent. The response waits at most SETTLE_WAIT_MS for it (a database that is down must
   * not delay its own 503); detached from the request, whose deadline signal may have fired.
   */
  private settleAfterError(claim: Claim, res: ServerResponse): void {
    if (res.headersSent) {
      void this.detached(() => this.store.release(claim), 'release');
      return;
    }
    // Bound to `res` explicitly where it is called (end.call(res, ...)).
    // eslint-disable-next-line @typescript-eslint/unbound-method -- restored and called with res as `this`
    const end = res.end as (...args: unknown[]) => ServerResponse;
    const settle = (chunk: unknown): Promise<unknown> => {
      if (!isFinalStatus(res.statusCode)) return this.store.release(claim);
      const body =
        chunk === undefined || chunk === null || typeof chunk === 'function'
          ? Buffer.alloc(0)
          : Buffer.isBuffer(chunk)
            ? chunk
            : Buffer.from(String(chunk as string | Uint8Array));
      return this.store.complete(claim, { status: res.statusCode, headers: pickHeaders(res), body });
    };
    let settled = false;
    // A response that never ends through here (the connection dropped first) releases the claim when it closes.
    res.once('close', () => {
      if (!settled) void this.detached(() => this.store.release(claim), 'release');
    });
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      settled = true;
      res.end = end as ServerResponse['end'];
      let timer: NodeJS.Timeout | undefined;
      const bounded = new Promise<void>((resolve) => (timer = setTimeout(resolve, SETTLE_WAIT_MS)));
      void Promise.race([this.detached(() => settle(chunk), 'settling'), bounded]).finally(() => {
        clearTimeout(timer);
        end.call(res, chunk, ...rest);
      });
      return res;
    }) as ServerResponse['end'];
  }

  /** Runs store work outside the request's context (its aborted signal would cancel it); never rejects. */
  private detached(work: () => Promise<unknown>, what: string): Promise<void> {
    return runInRequestContext({ startedAt: performance.now() }, work).then(
      () => undefined,
      (error: unknown) => this.logger.warn(`${what} of an idempotency claim failed (its lease frees it): ${String(error)}`),
    );
  }
}

function hash(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22);
}
