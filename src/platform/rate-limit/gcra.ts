/**
 * The token bucket as GCRA (generic cell rate algorithm): a bucket of `burst` tokens refilled one token
 * every `intervalMs` is fully described by one number, the theoretical arrival time (TAT) at which the
 * bucket would be full again. One number per client means O(1) work, no timers and no hit lists, and
 * the same state fits one Redis string (see `gcra.lua.ts`, which mirrors this function).
 */

/** Tolerance for floating-point drift when a request lands exactly on a token boundary (ms). */
export const GCRA_EPSILON_MS = 1e-6;

/** The outcome of taking one token. */
export interface GcraDecision {
  /** Whether a token was available (and taken). */
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Milliseconds until the bucket is full again. */
  resetMs: number;
  /** When refused: milliseconds until one token is available; 0 when allowed. */
  retryMs: number;
  /** The TAT to store: unchanged when refused. */
  tat: number;
}

/**
 * Takes one token. `tat` is the stored TAT (undefined or in the past: the bucket is full), `now` the
 * clock in ms, `intervalMs` the refill period of one token, `burst` the bucket size.
 */
export function takeToken(tat: number | undefined, now: number, intervalMs: number, burst: number): GcraDecision {
  const start = tat === undefined || tat < now ? now : tat;
  const newTat = start + intervalMs;
  const allowAt = newTat - burst * intervalMs;
  if (allowAt - now > GCRA_EPSILON_MS) {
    return { allowed: false, remaining: 0, resetMs: start - now, retryMs: allowAt - now, tat: start };
  }
  const remaining = Math.floor((now - allowAt) / intervalMs + GCRA_EPSILON_MS);
  return { allowed: true, remaining, resetMs: newTat - now, retryMs: 0, tat: newTat };
}
