/** Tuning of {@link GradientLimit}; defaults are Netflix concurrency-limits' GradientLimit and WindowedLimit defaults. */
export interface GradientLimitOptions {
  /** Floor of the limit (HTTP_CONCURRENCY_LIMIT_MIN). */
  min: number;
  /** Ceiling of the limit (HTTP_CONCURRENCY_LIMIT_MAX). */
  max: number;
  /** Start value. @default min */
  initial?: number;
  /** A window's RTT up to `tolerance` × the minimum RTT counts as no queueing. @default 2 */
  tolerance?: number;
  /** Weight of a new, lower estimate (decreases only; increases are taken whole). @default 0.2 */
  smoothing?: number;
  /** Samples are averaged over windows of this length (ms) before the limit moves. @default 100 */
  windowMs?: number;
  /** …and of at least this many samples. @default 10 */
  minSamples?: number;
  /** The minimum RTT is forgotten and re-measured this often (ms), ± `probeJitter`. @default 15000 */
  probeIntervalMs?: number;
  /** Relative jitter of the probe interval, so replicas do not probe together. @default 0.15 */
  probeJitter?: number;
  /** Random source of the jitter (tests pass a fixed one). @default Math.random */
  random?: () => number;
}

/**
 * The adaptive in-flight limit: Netflix concurrency-limits' GradientLimit (GradientLimit.java, the
 * "gradient" limit before Gradient2), fed by windows as its WindowedLimit does, with the minimum RTT
 * re-measured the way Envoy's adaptive concurrency filter does it. Per window (≥ `windowMs`, ≥ `minSamples`
 * responses) with average RTT `rtt`, minimum window RTT since the last probe `minRtt`,
 * `queue = max(4, √limit)` (the headroom):
 *   gradient = clamp(tolerance × minRtt / rtt, 0.5, 1)
 *   new      = limit / 2                     after a drop (a 503/504 from below the edge)
 *            = limit                         when app-limited (max in flight < limit / 2) and no queueing (gradient 1)
 *            = limit × gradient              when app-limited and queueing (gradient < 1)
 *            = limit × gradient + queue      otherwise
 *   a decrease is smoothed: new = limit × (1 − smoothing) + new × smoothing; then clamped to [min, max].
 * Probe (every `probeIntervalMs` ± jitter): the limit is pinned to `min` (Envoy: min_concurrency); once no
 * more than `min` requests are in flight, the next window's RTT becomes the new minimum RTT and the limit
 * returns to where it was. So the no-load latency is re-learnt after a lasting change (a slower database,
 * a busier machine) in one short window, instead of GradientLimit's cut to √limit and slow regrowth.
 * Gradient2Limit replaces min + probe by a long exponential average, VegasLimit compares queue estimates
 * with alpha/beta thresholds; min + probe is kept because it says plainly what "no-load latency" is.
 * Hand-written: npm has no maintained port of either. Per response: O(1) (a sum, a count, a max); the
 * arithmetic runs once per window.
 */
export class GradientLimit {
  /** The current limit (an integer): admission compares the in-flight count with it. */
  limit: number;
  /** Minimum window RTT since the last probe, ms (Infinity right after a probe). */
  minRttMs = Infinity;
  /** The last window's average RTT, ms (NaN before the first window). */
  sampleRttMs = NaN;

  private estimate: number;
  private readonly min: number;
  private readonly max: number;
  private readonly tolerance: number;
  private readonly smoothing: number;
  private readonly windowMs: number;
  private readonly minSamples: number;
  private readonly probeIntervalMs: number;
  private readonly probeJitter: number;
  private readonly random: () => number;
  private windowStart = NaN;
  private sum = 0;
  private count = 0;
  private drops = 0;
  private maxInFlight = 0;
  private dropped = false;
  private nextProbeAt = NaN;
  /** During a probe: the estimate to return to once the minimum RTT is re-measured. */
  private probing: number | undefined;
  private probeStartedAt = NaN;

  constructor(options: GradientLimitOptions) {
    this.min = options.min;
    this.max = options.max;
    this.tolerance = options.tolerance ?? 2;
    this.smoothing = options.smoothing ?? 0.2;
    this.windowMs = options.windowMs ?? 100;
    this.minSamples = options.minSamples ?? 10;
    this.probeIntervalMs = options.probeIntervalMs ?? 15_000;
    this.probeJitter = options.probeJitter ?? 0.15;
    this.random = options.random ?? Math.random;
    this.estimate = Math.min(this.max, Math.max(this.min, options.initial ?? this.min));
    this.limit = Math.floor(this.estimate);
  }

  /** A response that completed normally after `rttMs`, with `inFlight` requests in flight when it ended. */
  onSample(now: number, rttMs: number, inFlight: number): void {
    // A probe measures near no load: responses of requests admitted before the pin do not count — for at
    // most 10 windows, so long-lived requests (streams, long polls) cannot keep the limit pinned.
    if (this.probing !== undefined && inFlight > this.min && now - this.probeStartedAt < 10 * this.windowMs) return;
    this.sum += rttMs;
    this.count++;
    if (inFlight > this.maxInFlight) this.maxInFlight = inFlight;
    this.maybeUpdate(now);
  }

  /** A response that signals overload below the edge (permits exhausted, pool or deadline timeout). */
  onDrop(now: number, inFlight: number): void {
    if (this.probing !== undefined) return;
    this.dropped = true;
    this.drops++;
    if (inFlight > this.maxInFlight) this.maxInFlight = inFlight;
    this.maybeUpdate(now);
  }

  private maybeUpdate(now: number): void {
    if (Number.isNaN(this.windowStart)) {
      this.windowStart = now;
      this.nextProbeAt = now + this.probeDelay();
      return;
    }
    if (now - this.windowStart < this.windowMs || this.count + this.drops < this.minSamples) return;
    const rtt = this.count > 0 ? this.sum / this.count : NaN;
    const maxInFlight = this.maxInFlight;
    const dropped = this.dropped;
    this.windowStart = now;
    this.sum = this.count = this.drops = this.maxInFlight = 0;
    this.dropped = false;
    this.update(now, rtt, maxInFlight, dropped);
  }

  /** One step of the algorithm for a finished window; `rttMs` NaN when it held only drops (public for the unit spec). */
  update(now: number, rttMs: number, maxInFlight: number, dropped: boolean): void {
    if (!Number.isNaN(rttMs)) this.sampleRttMs = rttMs;
    if (this.probing !== undefined) {
      if (Number.isNaN(rttMs)) return;
      this.minRttMs = rttMs;
      this.set(this.probing);
      this.probing = undefined;
      return;
    }
    if (now >= this.nextProbeAt) {
      this.nextProbeAt = now + this.probeDelay();
      this.probing = this.estimate;
      this.probeStartedAt = now;
      this.minRttMs = Infinity;
      this.set(this.min);
      return;
    }
    const queue = Math.max(4, Math.sqrt(this.estimate));
    if (rttMs < this.minRttMs) this.minRttMs = rttMs;
    let next: number;
    if (dropped) next = this.estimate / 2;
    else if (Number.isNaN(rttMs)) return;
    else {
      const gradient = Math.max(0.5, Math.min(1, (this.tolerance * this.minRttMs) / rttMs));
      // App-limited (fewer than half the limit in flight): no evidence to grow. Queueing (gradient < 1) is still
      // evidence to shrink, or a limit that grew past twice the demand while the database was fast would never
      // fall when it slows (GradientLimit.java returns early here; the e2e test found a limit stuck at 84).
      if (maxInFlight < this.estimate / 2) {
        if (gradient >= 1) return;
        next = this.estimate * gradient;
      } else {
        next = this.estimate * gradient + queue;
      }
    }
    if (next < this.estimate) next = this.estimate * (1 - this.smoothing) + next * this.smoothing;
    this.set(next);
  }

  private set(estimate: number): void {
    this.estimate = Math.min(this.max, Math.max(this.min, estimate));
    this.limit = Math.floor(this.estimate);
  }

  private probeDelay(): number {
    return this.probeIntervalMs * (1 + this.probeJitter * (2 * this.random() - 1));
  }
}
