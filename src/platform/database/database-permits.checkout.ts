import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../../config/app-config';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type Checkout, type CheckoutGuard, guardConnectionCheckouts, type PgClient, type PgQuery } from './connection-checkout';
import { cancelBackend } from './pg-cancel';
import { abortReasonOf, currentRequestContext, onRequestAbort, type RequestContext } from '../request-context';
import { InjectPermits, PLATFORM_PERMITS, type PermitPool } from '../resilience';

/**
 * Puts every database connection checkout made while serving a request under the `db` permits (DB_PERMITS)
 * and the request's deadline, at the driver, so no repository call has to remember it:
 * - a permit is taken before the pool is asked (fail fast: 503 `permits-exhausted`), held while the pool
 *   wait and the connection last, and released with the connection however the work ends. DB_PERMITS above
 *   DB_POOL_MAX thus bounds pg-pool's otherwise unbounded wait queue (50 permits over 20 connections: at most
 *   30 waiters, each for at most DB_ACQUIRE_TIMEOUT_MS);
 * - when the request's signal aborts (deadline passed, client gone) the running statement is cancelled on
 *   the server, later queries on that checkout fail at once, and the connection is discarded at release
 *   (never returned mid-transaction, never hit by a late cancel meant for someone else).
 * Start-up work (migrations, pool warm-up) and background work run outside any request and go straight to
 * the pool; health and metrics requests are exempt from permits but still bound by their deadline.
 *
 * A driver checkout hook, not a Nest guard: it lives with the database module that installs it; resilience
 * only provides the PermitPool.
 */
@Injectable()
export class DatabasePermitsCheckout implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectPermits(PLATFORM_PERMITS.db) private readonly permits: PermitPool,
    config: ConfigService<AllConfig, true>,
  ) {
    this.permitsDisabled = config.get('protections.disabled', { infer: true }).includes('db_permits');
  }

  /** PROTECTIONS_DISABLED=db_permits: checkouts skip the permit (deadlines and cancellation stay). */
  private readonly permitsDisabled: boolean;

  onModuleInit(): void {
    guardConnectionCheckouts(this.dataSource, this.guard);
  }

  private readonly guard: CheckoutGuard = async (obtain) => {
    const context = currentRequestContext();
    if (!context) return obtain();
    let reason = abortReasonOf(context);
    if (reason !== undefined) throw reason as Error;
    // A free permit is taken without a promise; only a wait (or a refusal) goes through acquire().
    const permit = context.exempt || this.permitsDisabled ? undefined : (this.permits.tryAcquire() ?? (await this.permits.acquire()));
    let checkout: Checkout;
    try {
      checkout = await obtain();
    } catch (error) {
      permit?.release();
      throw error;
    }
    const [client, release] = checkout;
    reason = abortReasonOf(context);
    if (reason !== undefined) {
      release();
      permit?.release();
      throw reason as Error;
    }
    const binding = (client as BoundClient)[BINDING] ?? bindable(client);
    binding.context = context;
    binding.aborted = false;
    const unlisten = onRequestAbort(context, binding.onAbort);
    return [
      client,
      (error?: Error) => {
        unlisten();
        binding.context = undefined;
        try {
          release(error ?? (binding.aborted ? new Error('connection discarded: its request was aborted') : undefined));
        } finally {
          permit?.release();
        }
      },
    ];
  };
}

/** A pooled client's tie to the request of its current checkout (none between checkouts). */
interface AbortBinding {
  context: RequestContext | undefined;
  /** The request aborted while it held the client: its statement was cancelled, the client is discarded. */
  aborted: boolean;
  readonly onAbort: () => void;
}

const BINDING = Symbol('ballast:request-binding');
type BoundClient = PgClient & { [BINDING]?: AbortBinding };

/**
 * Ties a pooled client, once for its life, to whichever request holds it: while one does, a query after that
 * request aborted (deadline passed, client gone) fails at once, and the abort cancels the running statement on
 * the server. Per checkout only the binding's fields change: no new `client.query` wrapper, closure or rest array
 * per request. Through onRequestAbort, not the AbortSignal: the signal would be created for every database request.
 */
function bindable(client: BoundClient): AbortBinding {
  const binding: AbortBinding = {
    context: undefined,
    aborted: false,
    onAbort: () => {
      binding.aborted = true;
      void cancelBackend(client);
    },
  };
  const query = client.query as unknown as PgQuery;
  client.query = function (this: unknown, config: unknown, values?: unknown, callback?: unknown) {
    const context = binding.context;
    const reason = context === undefined ? undefined : abortReasonOf(context);
    if (reason !== undefined) throw reason as Error;
    return query.call(this, config, values, callback);
  };
  client[BINDING] = binding;
  return binding;
}
