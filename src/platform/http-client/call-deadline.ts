import { UpstreamTimeoutError } from './http-client.errors';

/**
 * The time one outbound call may take, retries and backoff included: an AbortSignal that aborts when the
 * call's own timeout passes (reason: {@link UpstreamTimeoutError}) or when the request being served aborts
 * (reason: the request's, e.g. its deadline or a client gone). `dispose()` clears the timer and the listener.
 * Hand-wired instead of `AbortSignal.any([AbortSignal.timeout(), parent])`: the timer is cleared as soon as the
 * call ends, and the abort reason says which of the two fired.
 */
export class CallDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly endsAt: number;

  constructor(
    upstream: string,
    timeoutMs: number,
    private readonly parent: AbortSignal | undefined,
  ) {
    this.endsAt = performance.now() + timeoutMs;
    this.timer = setTimeout(() => this.controller.abort(new UpstreamTimeoutError(upstream, timeoutMs)), timeoutMs);
    if (parent?.aborted) this.controller.abort(parent.reason);
    else parent?.addEventListener('abort', this.onParentAbort, { once: true });
  }

  /** Aborts when the call must stop; `reason` says why. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Milliseconds left. */
  remainingMs(): number {
    return Math.max(0, this.endsAt - performance.now());
  }

  /** Clears the timer and stops listening to the request's signal. */
  dispose(): void {
    clearTimeout(this.timer);
    this.parent?.removeEventListener('abort', this.onParentAbort);
  }

  private readonly onParentAbort = (): void => {
    this.controller.abort(this.parent?.reason);
  };
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts; the timer is cleared either way. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
