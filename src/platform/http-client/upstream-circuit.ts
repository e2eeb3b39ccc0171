import {
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  CountBreaker,
  circuitBreaker,
  handleWhen,
  type IBreaker,
} from 'cockatiel';
import { CIRCUIT_STATE_VALUE } from './http-client.constants';
import type { BreakerOptions } from './http-client-options.interface';

/** Opens when any of its breakers would: here consecutive failures OR a failure rate over a window. */
export class AnyOfBreaker implements IBreaker {
  constructor(private readonly breakers: readonly IBreaker[]) {}

  get state(): unknown {
    return this.breakers.map((breaker) => breaker.state);
  }

  set state(value: unknown) {
    (value as unknown[]).forEach((state, i) => {
      this.breakers[i].state = state;
    });
  }

  success(state: CircuitState): void {
    for (const breaker of this.breakers) breaker.success(state);
  }

  failure(state: CircuitState): boolean {
    let open = false;
    // Every breaker must see every failure, so no short-circuit.
    for (const breaker of this.breakers) open = breaker.failure(state) || open;
    return open;
  }
}

/** Which attempt outcomes count as failures for the breaker. */
export interface FailureFilters {
  error: (error: unknown) => boolean;
  result: (result: unknown) => boolean;
}

/** Readable circuit states (health details, logs). */
export type CircuitStateName = 'closed' | 'half-open' | 'open';

/**
 * One upstream's circuit breaker (cockatiel): closed → open after `consecutiveFailures` failed attempts in a row
 * or a failure rate above `failureRate` over the last `window` attempts → half-open after `halfOpenAfterMs`,
 * where one trial call decides between closed and open again. Reports its state through `onState`
 * (the `outbound_circuit_state` gauge).
 */
export class UpstreamCircuit {
  private readonly policy: CircuitBreakerPolicy;
  private openedAt = 0;

  constructor(
    private readonly options: Required<BreakerOptions>,
    filters: FailureFilters,
    onState: (value: number) => void,
  ) {
    const breaker = new AnyOfBreaker([
      new ConsecutiveBreaker(options.consecutiveFailures),
      new CountBreaker({ threshold: options.failureRate, size: options.window, minimumNumberOfCalls: options.minimumAttempts }),
    ]);
    this.policy = circuitBreaker(handleWhen(filters.error).orWhenResult(filters.result), {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker,
    });
    this.policy.onBreak(() => {
      this.openedAt = Date.now();
    });
    this.policy.onStateChange((state) => onState(toGaugeValue(state)));
    onState(CIRCUIT_STATE_VALUE.closed);
  }

  /**
   * Whether a call is refused at once: open and still cooling down, or half-open with its trial call in flight.
   * The half-open case is decided here, not by cockatiel, which would make callers wait (without a timeout)
   * for the trial's outcome while holding their permits.
   */
  get refusing(): boolean {
    const state = this.policy.state;
    if (state === CircuitState.HalfOpen || state === CircuitState.Isolated) return true;
    return state === CircuitState.Open && Date.now() - this.openedAt < this.options.halfOpenAfterMs;
  }

  /** Whole seconds until a trial call will be let through (at least 1): the `Retry-After` of a refusal. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.openedAt + this.options.halfOpenAfterMs - Date.now()) / 1000));
  }

  get state(): CircuitStateName {
    switch (this.policy.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return 'open';
    }
  }

  /** Runs one attempt through the breaker; throws cockatiel's `BrokenCircuitError` when it refuses. */
  execute<T>(attempt: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    return this.policy.execute(({ signal: inner }) => attempt(inner), signal);
  }
}

function toGaugeValue(state: CircuitState): number {
  if (state === CircuitState.Closed) return CIRCUIT_STATE_VALUE.closed;
  if (state === CircuitState.HalfOpen) return CIRCUIT_STATE_VALUE.halfOpen;
  return CIRCUIT_STATE_VALUE.open;
}
