import { GradientLimit, type GradientLimitOptions } from './gradient-limit';

/** A limiter without jitter (random 0.5) and, unless asked, without probes within the test. */
function limiter(options: Partial<GradientLimitOptions> = {}): GradientLimit {
  return new GradientLimit({ min: 10, max: 1000, initial: 100, probeIntervalMs: 1e9, random: () => 0.5, ...options });
}

/** Feeds one full window (10 samples at `t`, closed by one at `t + 100`) of RTT `rtt` with `inFlight` in flight. */
function window(limit: GradientLimit, t: number, rtt: number, inFlight: number): number {
  for (let i = 0; i < 10; i++) limit.onSample(t, rtt, inFlight);
  limit.onSample(t + 100, rtt, inFlight);
  return t + 100;
}

describe(GradientLimit.name, () => {
  it('grows by the headroom √limit while the RTT stays within tolerance × minRTT (gradient 1)', () => {
    const l = limiter();
    window(l, 0, 10, 100);
    // 100 × 1 + max(4, √100)
    expect(l.limit).toBe(110);
    expect(l.minRttMs).toBe(10);
    expect(l.sampleRttMs).toBe(10);
  });

  it('shrinks by the gradient tolerance × minRTT / RTT (floored at 0.5), smoothed by 0.2, as GradientLimit.java does', () => {
    const l = limiter();
    let t = window(l, 0, 10, 100); // 110, minRTT 10
    t = window(l, t, 30, 110);
    // gradient 2 × 10 / 30 = 0.667: 110 × 0.667 + √110 = 83.82; smoothed 110 × 0.8 + 83.82 × 0.2 = 104.76
    expect(l.limit).toBe(104);
    const before = l.limit;
    window(l, t, 400, 110);
    // gradient floored at 0.5: e × 0.5 + √e, smoothed
    const e = 104.764;
    expect(l.limit).toBe(Math.floor(e * 0.8 + (e * 0.5 + Math.sqrt(e)) * 0.2));
    expect(l.limit).toBeLessThan(before);
  });

  it('does not grow while app-limited (fewer than limit / 2 in flight)', () => {
    const l = limiter();
    window(l, 0, 10, 49);
    expect(l.limit).toBe(100);
  });

  it('still shrinks while app-limited when the RTT shows queueing: a limit above twice the demand is not stuck', () => {
    const l = limiter();
    let t = window(l, 0, 10, 49); // minRTT 10, app-limited: 100
    t = window(l, t, 10, 49);
    expect(l.limit).toBe(100);
    window(l, t, 250, 40);
    // gradient floored at 0.5, no headroom added: 100 × 0.5 = 50; smoothed 100 × 0.8 + 50 × 0.2 = 90
    expect(l.limit).toBe(90);
  });

  it('halves the estimate (smoothed) after a drop: a 503 or 504 from below the edge', () => {
    const l = limiter();
    for (let i = 0; i < 10; i++) l.onDrop(0, 100);
    l.onDrop(100, 100);
    // 100 × 0.8 + 50 × 0.2
    expect(l.limit).toBe(90);
  });

  it('waits for a full window: at least windowMs and 10 samples before the limit moves (O(1) per sample)', () => {
    const l = limiter();
    for (let i = 0; i < 9; i++) l.onSample(i * 1000, 10, 100);
    expect(l.limit).toBe(100);
    l.onSample(10_000, 10, 100);
    expect(l.limit).toBe(110);
  });

  it('stays within [min, max] however long the RTT is high or low', () => {
    const l = limiter({ min: 20, max: 200 });
    let t = window(l, 0, 10, 100);
    for (let i = 0; i < 200; i++) t = window(l, t, 1000, 1000);
    expect(l.limit).toBe(20);
    for (let i = 0; i < 200; i++) t = window(l, t, 10, 1000);
    expect(l.limit).toBe(200);
  });

  it('falls when the RTT goes 10× up and rises again when it comes back', () => {
    const l = limiter({ initial: 300 });
    let t = window(l, 0, 10, 300);
    const start = l.limit;
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) {
      t = window(l, t, 100, l.limit);
      seen.push(l.limit);
    }
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeLessThanOrEqual(seen[i - 1]);
    expect(seen.at(-1)).toBeLessThan(start / 2);
    const low = l.limit;
    for (let i = 0; i < 10; i++) t = window(l, t, 10, l.limit);
    expect(l.limit).toBeGreaterThan(low * 2);
  });

  it('re-measures the minimum RTT every probe interval: pins the limit to min, measures once no more than min are in flight, then returns', () => {
    const l = limiter({ initial: 400, probeIntervalMs: 1000 });
    window(l, 0, 10, 400); // 400 + 20 = 420
    expect(l.limit).toBe(420);
    let t = window(l, 1000, 50, 420); // the probe starts: pinned to min, minimum RTT forgotten
    expect(l.limit).toBe(10);
    expect(l.minRttMs).toBe(Infinity);
    t = window(l, t, 500, 300); // responses of requests admitted before the pin are not samples
    expect(l.limit).toBe(10);
    t = window(l, t, 50, 10); // near no load, 50 ms: the new minimum RTT; the limit returns to 420
    expect(l.minRttMs).toBe(50);
    expect(l.limit).toBe(420);
    window(l, t, 90, 420); // within tolerance of the new minimum: grows again (420 + √420)
    expect(l.limit).toBe(Math.floor(420 + Math.sqrt(420)));
  });

  it('ends a probe that cannot drain (long-lived requests) after 10 windows, measuring what there is', () => {
    const l = limiter({ initial: 400, probeIntervalMs: 1000 });
    window(l, 0, 10, 400);
    window(l, 1000, 10, 420); // the probe starts at 1100
    expect(l.limit).toBe(10);
    window(l, 1200, 30, 300); // still draining: ignored
    expect(l.limit).toBe(10);
    window(l, 2100, 30, 300); // 1000 ms into the probe: measured anyway
    expect(l.minRttMs).toBe(30);
    expect(l.limit).toBe(420);
  });

  it('jitters the probe interval by ±probeJitter', () => {
    const early = limiter({ initial: 400, probeIntervalMs: 1000, random: () => 0 }); // 1000 × (1 − 0.15) = 850
    window(early, 0, 10, 400);
    window(early, 850, 10, 420);
    expect(early.minRttMs).toBe(Infinity);
    const late = limiter({ initial: 400, probeIntervalMs: 1000, random: () => 1 }); // 1150
    window(late, 0, 10, 400);
    window(late, 1000, 10, 420);
    expect(late.minRttMs).toBe(10);
  });
});
