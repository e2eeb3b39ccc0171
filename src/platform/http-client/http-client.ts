import { Logger } from '@nestjs/common';
import { BrokenCircuitError, ExponentialBackoff, type IBackoff } from 'cockatiel';
import type { Counter, Histogram } from 'prom-client';
import type { Pool } from 'undici';
import { ProblemError } from '../errors/problem.error';
import { currentRequestContext, remainingTimeMs } from '../request-context/request-context';
import { CallDeadline, delay } from './call-deadline';
import { CIRCUIT_STATE_VALUE, IDEMPOTENT_METHODS, type OutboundOutcome } from './http-client.constants';
import { PermitsExhaustedError } from '../resilience/resilience.errors';
import { CircuitOpenError, UpstreamTimeoutError, UpstreamUnavailableError } from './http-client.errors';
import { classifyAttemptError } from './outbound-error.classifier';
import { outboundTraceHeaders } from '../observability/trace-context';
import { recordOutboundRetry, traceOutboundAttempt, traceOutboundCall } from '../spans';
import { countsAgainstUpstream, isResponse, isRetryable, OUTBOUND_OUTCOMES, outcomeOf } from './outbound-outcome';
import type { HttpClientMetrics, OutboundMethod, OutboundRequest, OutboundResponse } from './outbound-request.interface';
import type { OutboundPermits } from './outbound-permits';
import { decodeResponseBody } from './response-body';
import { RetryBudget } from './retry-budget';
import { type CircuitStateName, UpstreamCircuit } from './upstream-circuit';
import { closeUpstreamPool, createUpstreamPool } from './upstream-pool';
import type { UpstreamSettings } from './upstream-settings';

/**
 * The client of one upstream, injected with `@InjectHttpClient(name)`. Every call, in this order:
 * 1. is refused at once (503) while the upstream's circuit is open, or when `maxConnections + maxQueued` calls
 *    to it are in flight, or when no `external` permit is free (EXTERNAL_API_PERMITS);
 * 2. holds one `external` permit until it ends, retries included;
 * 3. gets `min(timeoutMs, the request's remaining deadline)` for all its attempts and backoff (504 past it);
 * 4. runs each attempt through the circuit breaker on an undici Pool capped at `maxConnections` sockets;
 * 5. retries, if idempotent (by method, or a POST/PATCH with an `idempotencyKey`), connection errors and 502/503/504 with jittered exponential backoff, while the
 *    retry budget, the attempt limit and the remaining time allow;
 * 6. records `outbound_request_duration_seconds{upstream,outcome}` once.
 */
export class HttpClient {
  private readonly pool: Pool | undefined;
  private readonly circuit: UpstreamCircuit;
  private readonly budget: RetryBudget;
  private readonly backoff: ExponentialBackoff<unknown>;
  private readonly durations: Record<OutboundOutcome, Histogram.Internal<string>>;
  private readonly retries: Counter.Internal;
  private inFlight = 0;
  private readonly logger = new Logger('HttpClient');
  private lastCircuitValue: number = CIRCUIT_STATE_VALUE.closed;

  constructor(
    private readonly settings: UpstreamSettings,
    private readonly permits: OutboundPermits,
    metrics: HttpClientMetrics,
  ) {
    const { name, retry } = settings;
    this.durations = Object.fromEntries(
      OUTBOUND_OUTCOMES.map((outcome) => [outcome, metrics.duration.labels(name, outcome)]),
    ) as HttpClient['durations'];
    this.retries = metrics.retries.labels(name);
    this.retries.inc(0);
    const circuitGauge = metrics.circuitState.labels(name);
    this.circuit = new UpstreamCircuit(
      settings.breaker,
      { error: countsAgainstUpstream, result: (r) => (r as OutboundResponse).status >= 500 },
      (value) => {
        circuitGauge.set(value);
        this.logCircuitChange(value);
      },
    );
    this.budget = new RetryBudget(retry.budgetRatio, retry.budgetBurst);
    this.backoff = new ExponentialBackoff({ initialDelay: retry.initialDelayMs, maxDelay: retry.maxDelayMs });
    this.pool = settings.origin ? createUpstreamPool(settings.origin, settings) : undefined;
  }

  /** The upstream's name (metric label, health key). */
  get name(): string {
    return this.settings.name;
  }

  /** False when no base URL is configured: every call fails with 503 `upstream-unavailable`. */
  get enabled(): boolean {
    return this.pool !== undefined;
  }

  /** The circuit breaker's state. */
  get circuitState(): CircuitStateName {
    return this.circuit.state;
  }

  /** Settings after defaults (read-only view for health and tests). */
  get options(): Readonly<UpstreamSettings> {
    return this.settings;
  }

  /** `GET path`, the body parsed as JSON. */
  get<T = unknown>(path: string, request: Omit<OutboundRequest, 'method' | 'path'> = {}): Promise<OutboundResponse<T>> {
    return this.request<T>({ ...request, method: 'GET', path });
  }

  /** Makes one call (see the class comment). Raises only ProblemErrors (503/504), or the request's own abort reason. */
  async request<T = unknown>(request: OutboundRequest): Promise<OutboundResponse<T>> {
    const pool = this.pool;
    if (!pool) throw new UpstreamUnavailableError(this.name, 'not_configured');
    if (!request.path.startsWith('/')) throw new TypeError(`http client "${this.name}": path must start with /`);
    const started = performance.now();
    let outcome: OutboundOutcome = 'success';
    try {
      return (await traceOutboundCall(this, () => this.admitted(pool, request))) as OutboundResponse<T>;
    } catch (error) {
      outcome = outcomeOf(error, currentRequestContext()?.signal);
      throw error;
    } finally {
      this.durations[outcome].observe((performance.now() - started) / 1000);
    }
  }

  /** Probes `healthPath` directly on the pool: no permit, no breaker, no retry (the health indicator's check). */
  async probe(signal: AbortSignal): Promise<{ status: number }> {
    const path = this.settings.healthPath;
    if (!this.pool || !path) return { status: 0 };
    let status: number;
    try {
      const response = await this.pool.request({
        method: 'GET',
        path: this.settings.basePath + path,
        signal,
        headers: { accept: 'application/json' },
      });
      status = response.statusCode;
      await response.body.dump();
    } catch (error) {
      // Only the kind of failure: the error's message (and so a `cause`) would name the upstream's address.
      // eslint-disable-next-line preserve-caught-error -- the cause is left out on purpose (see above)
      throw new Error(signal.aborted ? 'timeout' : (classifyAttemptError(error) ?? 'failed'));
    }
    if (status >= 400) throw new Error(`answered ${status}`);
    return { status };
  }

  /** Closes the pool: in-flight calls finish within `timeoutMs`, then the rest are destroyed. */
  async close(timeoutMs: number): Promise<void> {
    if (this.pool) await closeUpstreamPool(this.pool, timeoutMs);
  }

  /** Opening and closing are logged (a few lines per outage); half-open trials are not. */
  private logCircuitChange(value: number): void {
    const previous = this.lastCircuitValue;
    this.lastCircuitValue = value;
    if (value === CIRCUIT_STATE_VALUE.open && previous === CIRCUIT_STATE_VALUE.closed) {
      this.logger.warn(
        `upstream "${this.name}": circuit opened after repeated failures; calls refused, a trial every ${this.settings.breaker.halfOpenAfterMs} ms`,
      );
    } else if (value === CIRCUIT_STATE_VALUE.closed && previous !== CIRCUIT_STATE_VALUE.closed) {
      this.logger.log(`upstream "${this.name}": circuit closed, calls resumed`);
    }
  }

  private async admitted(pool: Pool, request: OutboundRequest): Promise<OutboundResponse> {
    if (this.circuit.refusing) throw new CircuitOpenError(this.name, this.circuit.retryAfterSeconds());
    if (this.inFlight >= this.settings.maxConnections + this.settings.maxQueued) throw new PermitsExhaustedError(`upstream:${this.name}`);
    const parent = currentRequestContext()?.signal;
    if (parent?.aborted) throw parent.reason;
    const timeoutMs = Math.min(request.timeoutMs ?? Infinity, this.settings.timeoutMs, remainingTimeMs());
    if (timeoutMs <= 0) throw new UpstreamTimeoutError(this.name, 0);
    this.inFlight++;
    try {
      const permit = await this.permits.acquire(parent);
      const deadline = new CallDeadline(this.name, timeoutMs, parent);
      try {
        this.budget.deposit();
        return await this.withRetries(pool, request, deadline);
      } finally {
        deadline.dispose();
        permit.release();
      }
    } finally {
      this.inFlight--;
    }
  }

  private async withRetries(pool: Pool, request: OutboundRequest, deadline: CallDeadline): Promise<OutboundResponse> {
    const method = request.method ?? 'GET';
    // A POST/PATCH may have done its work before the failure; only the upstream's Idempotency-Key handling makes a repeat safe.
    const idempotent = IDEMPOTENT_METHODS.has(method) || request.idempotencyKey !== undefined;
    const { maxRetries } = this.settings.retry;
    let backoff: IBackoff<unknown> | undefined;
    for (let attempt = 0; ; attempt++) {
      let failure: unknown;
      if (attempt > 0 && this.circuit.refusing) throw new CircuitOpenError(this.name, this.circuit.retryAfterSeconds());
      try {
        const response = await this.circuit.execute((signal) => this.attempt(pool, method, request, signal), deadline.signal);
        if (response.status < 500) return response;
        failure = response;
      } catch (error) {
        if (error instanceof BrokenCircuitError) throw new CircuitOpenError(this.name, this.circuit.retryAfterSeconds());
        failure = error;
      }
      if (!idempotent || attempt >= maxRetries || !isRetryable(failure) || deadline.signal.aborted) throw this.finalError(failure);
      backoff = backoff ? backoff.next(undefined) : this.backoff.next();
      // A retry that could not finish before the deadline would only add load.
      if (backoff.duration >= deadline.remainingMs() || !this.budget.tryWithdraw()) throw this.finalError(failure);
      this.retries.inc();
      recordOutboundRetry(attempt + 1, failure);
      await delay(backoff.duration, deadline.signal);
    }
  }

  /** One attempt; failures come out typed (timeouts, connection errors, unusable responses). */
  private async attempt(pool: Pool, method: OutboundMethod, request: OutboundRequest, signal: AbortSignal): Promise<OutboundResponse> {
    const headers: Record<string, string> = { ...outboundTraceHeaders(), accept: 'application/json', ...request.headers };
    if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey;
    let body: string | undefined;
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers['content-type'] = 'application/json';
    }
    const path = this.settings.basePath + request.path;
    try {
      return await traceOutboundAttempt(method, this.settings.origin ?? 'http://upstream', path, headers, async () => {
        const response = await pool.request({
          method,
          path,
          query: request.query && Object.fromEntries(Object.entries(request.query).filter(([, v]) => v !== undefined)),
          headers,
          body,
          signal,
        });
        if (response.statusCode >= 500) {
          // Its body is never read: it is not for our clients, and reading it only keeps the socket busy.
          await response.body.dump();
          return { status: response.statusCode, headers: response.headers, body: undefined };
        }
        const text = await response.body.text();
        return { status: response.statusCode, headers: response.headers, body: decodeResponseBody(this.name, response.headers, text) };
      });
    } catch (error) {
      throw this.attemptError(error, signal);
    }
  }

  private attemptError(error: unknown, signal: AbortSignal): unknown {
    if (signal.aborted) return signal.reason;
    if (error instanceof ProblemError) return error;
    switch (classifyAttemptError(error)) {
      case 'connect_error':
        return new UpstreamUnavailableError(this.name, 'connect_error', undefined, error);
      case 'timeout':
        return new UpstreamTimeoutError(this.name, this.settings.timeoutMs);
      case 'invalid_response':
        return new UpstreamUnavailableError(this.name, 'invalid_response', undefined, error);
      default:
        return error;
    }
  }

  /** The error a call ends with: a 5xx answer becomes 503 `upstream-unavailable`; errors stay as they are. */
  private finalError(failure: unknown): unknown {
    if (isResponse(failure)) return new UpstreamUnavailableError(this.name, 'http_error', failure.status);
    return failure;
  }
}
