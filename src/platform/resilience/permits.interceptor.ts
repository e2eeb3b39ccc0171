import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { defer, finalize, type Observable, switchMap } from 'rxjs';
import { currentRequestContext } from '../request-context/request-context';
import type { Permit } from './permit-pool';
import { PermitPoolRegistry } from './permit-pool.registry';
import { PERMITS_METADATA } from './resilience.constants';

/**
 * Reads `@UsePermits(name)` and holds a permit of that pool while the handler runs. The permit is released
 * when the handler's result is complete, fails, or is unsubscribed, whichever comes first.
 */
@Injectable()
export class PermitsInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly registry: PermitPoolRegistry,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const name = this.reflector.getAllAndOverride<string | undefined>(PERMITS_METADATA, [context.getHandler(), context.getClass()]);
    if (!name) return next.handle();
    const pool = this.registry.get(name);
    let permit: Permit | undefined;
    return defer(() => pool.acquire(this.signalOf(context))).pipe(
      switchMap((acquired) => {
        permit = acquired;
        return next.handle();
      }),
      finalize(() => permit?.release()),
    );
  }

  /** The request's abort signal (deadline or client gone) ends a wait for a permit. Override to change. */
  protected signalOf(_context: ExecutionContext): AbortSignal | undefined {
    return currentRequestContext()?.signal;
  }
}
