import { Injectable } from '@nestjs/common';

/**
 * Whether the process is shutting down. Set once by the shutdown coordinator at the first signal; read by
 * readiness (503 from that moment) and by the HTTP edge (`Connection: close` on every response).
 */
@Injectable()
export class LifecycleState {
  private startedAt: number | undefined;
  private outOfRotationValue = false;

  /** True from the first moment of shutdown. */
  get shuttingDown(): boolean {
    return this.startedAt !== undefined;
  }

  /** True while an operator took the instance out of rotation (readiness 503, everything else serving). */
  get outOfRotation(): boolean {
    return this.outOfRotationValue;
  }

  /** Takes the instance out of rotation (`true`) or puts it back, e.g. before a heap snapshot. */
  setOutOfRotation(value: boolean): void {
    this.outOfRotationValue = value;
  }

  /** Marks the start of shutdown; false if it had already begun. */
  beginShutdown(): boolean {
    if (this.startedAt !== undefined) return false;
    this.startedAt = performance.now();
    return true;
  }
}
