/** Options of {@link waitUntil}. */
export interface WaitOptions {
  /** @default 5000 */
  timeoutMs?: number;
  /** Pause between checks. @default 50 */
  intervalMs?: number;
  /** What was awaited, for the error (called once, at the timeout, so it can report the last value seen). */
  what?: () => string;
}

/**
 * The tests' one polling loop: calls `check` until it returns true and resolves with the milliseconds that took;
 * rejects after `timeoutMs` naming what it waited for. An error thrown by `check` (a process that exited) ends
 * the wait at once.
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, options: WaitOptions = {}): Promise<number> {
  const { timeoutMs = 5000, intervalMs = 50, what = () => 'condition' } = options;
  const started = performance.now();
  for (;;) {
    if (await check()) return Math.round(performance.now() - started);
    if (performance.now() - started > timeoutMs) throw new Error(`${what()}: not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
