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
import { type Claim, type ClaimConflict, IdempotencyStore } from './idempotency.store';
import type { IdempotentOptions } from './idempotent-options.interface';
import { isFinalStatus, pickHeaders, replay, responseOf } from './stored-response';

type Req = IncomingMessage & { body?: unknown; originalUrl?: string; method: string };

/**
 * Reads `@Idempotent()` and serves its routes: validates the key, claims it — a transaction holding the key's lock
 * (or answers 409/422, or replays the stored outcome) —, runs the handler, then stores a final outcome in that
 * transaction and commits it with the feature's write (made through the TransactionRunner); a failed handler's
 * transaction rolls back, and only a final error outcome is stored, so that a retry runs again otherwise.
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
    // A stale row (expired, or a lease-expired claim of an earlier design) is cleared, then claimed again: bounded.
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = await this.store.claim(scope, key, fingerprint, this.leaseMs);
      if ('stale' in result) {
        await this.store.clearStale(scope, key, fingerprint);
        continue;
      }
      if ('claim' in result) {
        this.outcomes.first.inc();
        return this.runFirst(result.claim, next, req, res);
      }
      return this.answerConflict(result.conflict, fingerprint, res);
    }
    this.outcomes.in_progress.inc();
    throw new IdempotencyKeyInProgressError(1);
  }

  /** The answer to a key another attempt holds or completed: the replay, 409 or 422. */
  private answerConflict(conflict: ClaimConflict, fingerprint: string, res: ServerResponse): string | undefined {
    if (conflict.fingerprint !== undefined && conflict.fingerprint !== fingerprint) {
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

  private async runFirst(claim: Claim, next: CallHandler, req: Req, res: ServerResponse): Promise<unknown> {
    const requestContext = contextOf(req);
    const active: ActiveClaim = { claim };
    attachClaim(requestContext, active);
    let value: unknown;
    try {
      value = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      detachClaim(requestContext);
      await this.store.end(claim.runner);
      this.settleAfterError(claim, res);
      throw error;
    }
    detachClaim(requestContext);
    const response = responseOf(res, value);
    try {
      // Another attempt stored the key first (possible only past the lock: an earlier design's claim, an error
      // outcome stored on its own): this attempt's write was rolled back with the refused row.
      if (!(await this.store.commit(claim, response, this.ttlSeconds))) throw new IdempotencyKeyInProgressError(1);
    } catch (failure) {
      // The handler wrote elsewhere (or not at all): its outcome stands; failing to store it leaves the key free.
      if (!active.joined && !(failure instanceof IdempotencyKeyInProgressError)) {
        this.logger.warn(`outcome not stored: ${String(failure)}`);
      } else {
        this.settleAfterError(claim, res);
        throw lostConnection(failure);
      }
    }
    // Already answered (the deadline's 504 went out while the handler ran): the stored outcome is for the retry.
    const contentType = response.headers['content-type'];
    if (contentType !== undefined && !res.headersSent) res.setHeader('Content-Type', contentType);
    return response.body.length > 0 ? response.body.toString('utf8') : undefined;
  }

  /**
   * After a failed handler (its transaction, and with it the key's lock, already rolled back): a final outcome (a 4xx
   * other than 408/409/425/429) is stored on its own, anything else leaves the key free so that a retry runs again.
   * The store happens when the error filter ends the response and before the bytes leave, so a client's next attempt
   * already sees it; the filter stays the one renderer of problems and the stored bytes are exactly what it sent. The
   * response waits at most SETTLE_WAIT_MS for it (a database that is down must not delay its own 503); detached from
   * the request, whose deadline signal may have fired.
   */
  private settleAfterError(claim: Claim, res: ServerResponse): void {
    if (res.headersSent) return;
    // Bound to `res` explicitly where it is called (end.call(res, ...)).
    // eslint-disable-next-line @typescript-eslint/unbound-method -- restored and called with res as `this`
    const end = res.end as (...args: unknown[]) => ServerResponse;
    const settle = async (chunk: unknown): Promise<unknown> => {
      if (!isFinalStatus(res.statusCode)) return;
      const body =
        chunk === undefined || chunk === null || typeof chunk === 'function'
          ? Buffer.alloc(0)
          : Buffer.isBuffer(chunk)
            ? chunk
            : Buffer.from(String(chunk as string | Uint8Array));
      const { scope, key, fingerprint } = claim;
      return this.store.store({ scope, key, fingerprint }, { status: res.statusCode, headers: pickHeaders(res), body }, this.ttlSeconds);
    };
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
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
      (error: unknown) => this.logger.warn(`${what} of an idempotency claim failed (the key stays free): ${String(error)}`),
    );
  }
}

function hash(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22);
}
