import { PermitsExhaustedError } from './resilience.errors';

/** Bounds of one {@link PermitPool}. */
export interface PermitPoolOptions {
  /** Permits that can be held at once. */
  capacity: number;
  /** Callers that may wait for a permit when none is free; 0 fails fast. @default 0 */
  maxWaiting?: number;
  /** Longest wait for a permit before it fails with 503 (only when `maxWaiting` > 0). @default 1000 */
  maxWaitMs?: number;
}

/** Told about every change, so metrics stay out of the pool itself. */
export interface PermitPoolObserver {
  /** Permits held changed (optional: a metric can read `inUse` when scraped instead). */
  onChange?(inUse: number): void;
  /** A caller was refused a permit. */
  onRejected(): void;
}

/** A held permit; `release()` is idempotent, so a `finally` and an abort handler may both call it. */
export interface Permit {
  release(): void;
}

interface Waiter {
  resolve(permit: Permit): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

const NO_OBSERVER: PermitPoolObserver = { onChange: () => undefined, onRejected: () => undefined };

/**
 * A bulkhead: at most `capacity` holders at once, fail fast beyond it (or a bounded, time-limited FIFO wait
 * when `maxWaiting` > 0). Hand-written: cockatiel's `bulkhead()` and p-limit only run a wrapped function, but a
 * database checkout is acquired in one callback and released in another (by TypeORM); async-sema has
 * acquire/release but an unbounded queue without timeouts or a fail-fast mode.
 */
export class PermitPool {
  private held = 0;
  private readonly waiters: Waiter[] = [];
  /** Permits that can be held at once. */
  readonly capacity: number;
  private readonly maxWaiting: number;
  private readonly maxWaitMs: number;

  constructor(
    /** The resource this pool guards (the `resource` label of the permit metrics). */
    readonly name: string,
    options: PermitPoolOptions,
    private readonly observer: PermitPoolObserver = NO_OBSERVER,
  ) {
    this.capacity = options.capacity;
    this.maxWaiting = options.maxWaiting ?? 0;
    this.maxWaitMs = options.maxWaitMs ?? 1000;
  }

  /** Permits held now. */
  get inUse(): number {
    return this.held;
  }

  /** Callers waiting for a permit now. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** A permit if one is free now, else `undefined` (not counted as a rejection: the caller decides). */
  tryAcquire(): Permit | undefined {
    if (this.held >= this.capacity) return undefined;
    this.held++;
    this.observer.onChange?.(this.held);
    return this.newPermit();
  }

  /**
   * A permit now, or after a bounded wait when the pool allows waiting; otherwise rejects with
   * {@link PermitsExhaustedError} (503). An aborted `signal` ends the wait with its reason.
   */
  acquire(signal?: AbortSignal): Promise<Permit> {
    // AbortSignal's reason is typed `any`; it is the Error given to abort() (a DOMException by default).
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const permit = this.tryAcquire();
    if (permit) return Promise.resolve(permit);
    if (this.waiters.length >= this.maxWaiting) return Promise.reject(this.reject());
    return new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        timer: setTimeout(() => this.dropWaiter(waiter, this.reject()), this.maxWaitMs),
        onAbort: () => this.dropWaiter(waiter, signal?.reason),
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Runs `fn` holding a permit, released however `fn` ends. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const permit = await this.acquire(signal);
    try {
      return await fn();
    } finally {
      permit.release();
    }
  }

  private reject(): PermitsExhaustedError {
    this.observer.onRejected();
    return new PermitsExhaustedError(this.name);
  }

  private newPermit(): Permit {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.handOver();
      },
    };
  }

  /** A released permit goes straight to the oldest waiter, so waiters cannot be overtaken by newcomers. */
  private handOver(): void {
    const next = this.waiters.shift();
    if (next) {
      this.settle(next);
      next.resolve(this.newPermit());
      return;
    }
    this.held--;
    this.observer.onChange?.(this.held);
  }

  private dropWaiter(waiter: Waiter, error: unknown): void {
    const index = this.waiters.indexOf(waiter);
    if (index === -1) return;
    this.waiters.splice(index, 1);
    this.settle(waiter);
    waiter.reject(error);
  }

  private settle(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
  }
}
