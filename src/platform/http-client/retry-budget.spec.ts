import { RetryBudget } from './retry-budget';

describe(RetryBudget.name, () => {
  it('starts with the burst and refuses once it is spent', () => {
    const budget = new RetryBudget(0.2, 3);
    expect([budget.tryWithdraw(), budget.tryWithdraw(), budget.tryWithdraw(), budget.tryWithdraw()]).toEqual([true, true, true, false]);
  });

  it('allows retries up to burst + ratio × calls over a run of calls, and no more', () => {
    const budget = new RetryBudget(0.2, 2);
    let retries = 0;
    for (let call = 0; call < 100; call++) {
      budget.deposit();
      // Every call would like three retries (a failing upstream).
      for (let attempt = 0; attempt < 3; attempt++) if (budget.tryWithdraw()) retries++;
    }
    expect(retries).toBeLessThanOrEqual(2 + 0.2 * 100);
    expect(retries).toBeGreaterThanOrEqual(0.2 * 100);
  });

  it('never saves up more than the burst during a quiet, healthy period', () => {
    const budget = new RetryBudget(0.5, 4);
    for (let call = 0; call < 1000; call++) budget.deposit();
    expect(budget.available).toBe(4);
  });
});
