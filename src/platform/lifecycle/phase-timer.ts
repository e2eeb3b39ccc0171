/** Times consecutive phases of the start-up, for the "listening" line. */
export class PhaseTimer<P extends string> {
  private readonly done: Array<[P, number]> = [];
  private startedAt = performance.now();

  constructor(private phase: P) {}

  /** The phase running now (the one a failure happened in). */
  get current(): P {
    return this.phase;
  }

  /** Ends the current phase and starts `phase`. */
  next(phase: P): void {
    const now = performance.now();
    this.done.push([this.phase, now - this.startedAt]);
    this.phase = phase;
    this.startedAt = now;
  }

  /** "1234 ms (application 1200 ms, listen 34 ms)", the current phase counted up to now. */
  summary(): string {
    const phases: Array<[P, number]> = [...this.done, [this.phase, performance.now() - this.startedAt]];
    const total = phases.reduce((sum, [, ms]) => sum + ms, 0);
    return `${Math.round(total)} ms (${phases.map(([name, ms]) => `${name} ${Math.round(ms)} ms`).join(', ')})`;
  }
}
