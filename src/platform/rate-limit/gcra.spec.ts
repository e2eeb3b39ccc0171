import { takeToken } from './gcra';

describe(takeToken.name, () => {
  it('admits exactly the burst at one instant, then says when the next token arrives', () => {
    let tat: number | undefined;
    const remaining: number[] = [];
    for (let i = 0; i < 30; i++) {
      const d = takeToken(tat, 1000, 100, 30);
      expect(d.allowed).toBe(true);
      remaining.push(d.remaining);
      tat = d.tat;
    }
    expect(remaining).toEqual(Array.from({ length: 30 }, (_, i) => 29 - i));
    const refused = takeToken(tat, 1000, 100, 30);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryMs: 100, resetMs: 3000 });
    expect(refused.tat).toBe(tat);
  });

  it('refills one token per interval and never beyond the burst', () => {
    let tat = takeToken(undefined, 0, 100, 3).tat;
    tat = takeToken(tat, 0, 100, 3).tat;
    tat = takeToken(tat, 0, 100, 3).tat;
    expect(takeToken(tat, 99, 100, 3).allowed).toBe(false);
    const afterOne = takeToken(tat, 100, 100, 3);
    expect(afterOne).toMatchObject({ allowed: true, remaining: 0 });
    expect(takeToken(afterOne.tat, 100, 100, 3).allowed).toBe(false);
    // Idle for an hour: the bucket is full (3), not 36 000 tokens.
    expect(takeToken(afterOne.tat, 3_600_000, 100, 3)).toMatchObject({ allowed: true, remaining: 2, resetMs: 100 });
  });

  it('stays exact with an interval that is not a whole number of ms (7 per second)', () => {
    const interval = 1000 / 7;
    let tat: number | undefined;
    let admitted = 0;
    for (let i = 0; i < 100; i++) {
      const d = takeToken(tat, 5000, interval, 7);
      if (d.allowed) admitted++;
      tat = d.tat;
    }
    expect(admitted).toBe(7);
    let later = 0;
    for (let i = 0; i < 100; i++) {
      const d = takeToken(tat, 6000, interval, 7);
      if (d.allowed) later++;
      tat = d.tat;
    }
    expect(later).toBe(7);
  });

  it('admits the long-run rate under a steady stream faster than it', () => {
    let tat: number | undefined;
    let admitted = 0;
    // 10 requests per ms for 10 s against 10/s with burst 30: 30 + 10 * 10 s = 130.
    for (let now = 0; now <= 10_000; now += 1) {
      for (let i = 0; i < 10; i++) {
        const d = takeToken(tat, now, 100, 30);
        if (d.allowed) admitted++;
        tat = d.tat;
      }
    }
    expect(admitted).toBe(130);
  });
});
