import type { Logger } from '@nestjs/common';

/**
 * Logs a recurring condition (a store that keeps failing, load being shed) at most once per interval, saying how many
 * repeats it swallowed, so an outage under load writes a few lines instead of one per request.
 */
export class IntervalLogger {
  private lastAt = -Infinity;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  /** Warns now, or counts the repeat if a warning was written less than `intervalMs` ago. */
  warn(message: string): void {
    const now = performance.now();
    if (now - this.lastAt < this.intervalMs) {
      this.suppressed++;
      return;
    }
    this.logger.warn(this.suppressed > 0 ? `${message} (${this.suppressed} more since the last warning)` : message);
    this.lastAt = now;
    this.suppressed = 0;
  }

  /** Forgets the condition: the next warning is written at once. */
  reset(): void {
    this.lastAt = -Infinity;
    this.suppressed = 0;
  }
}
