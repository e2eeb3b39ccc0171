/**
 * A token bucket of retries for one upstream: every call deposits `ratio` of a token, every retry withdraws
 * a whole one, and the balance never exceeds `burst` (which is also the starting balance). Over any run of N
 * calls, retries therefore stay below `burst + ratio × N`: when an upstream fails, the load it sees grows by
 * at most `ratio` instead of multiplying by the number of attempts.
 * Hand-written: cockatiel's retry has a per-call attempt limit but nothing shared across calls.
 */
export class RetryBudget {
  private balance: number;

  constructor(
    private readonly ratio: number,
    private readonly burst: number,
  ) {
    this.balance = burst;
  }

  /** Records a call (not a retry). */
  deposit(): void {
    this.balance = Math.min(this.burst, this.balance + this.ratio);
  }

  /** Takes one retry from the budget if there is one. */
  tryWithdraw(): boolean {
    if (this.balance < 1 - 1e-9) return false;
    this.balance -= 1;
    return true;
  }

  /** Retries available now (fractional). */
  get available(): number {
    return this.balance;
  }
}
