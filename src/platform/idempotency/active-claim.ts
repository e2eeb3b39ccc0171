import { currentRequestContext, type RequestContext } from '../request-context/request-context';
import type { Claim } from './idempotency.store';

/** The claim of the idempotent request being served: its open transaction is the one the feature writes in. */
export interface ActiveClaim {
  claim: Claim;
  /** Set by the TransactionRunner: the feature wrote in the claim's transaction, so its write commits with the key. */
  joined?: boolean;
}

// Keyed by the request's context object: the interceptor and the TransactionRunner meet there without a
// second AsyncLocalStorage, and the entry goes with the request.
const active = new WeakMap<RequestContext, ActiveClaim>();

/** Attaches `claim` to the request served by `context`. */
export function attachClaim(context: RequestContext, claim: ActiveClaim): void {
  active.set(context, claim);
}

/** Removes the request's claim (after commit or rollback). */
export function detachClaim(context: RequestContext): void {
  active.delete(context);
}

/** The current request's claim, if it is an idempotent request that holds one. */
export function activeClaim(): ActiveClaim | undefined {
  const context = currentRequestContext();
  return context ? active.get(context) : undefined;
}
