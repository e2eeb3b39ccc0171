import { type INestApplication, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { constants as osConstants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AllConfig } from '../../config/app-config';
import { dropQueuedLogsAtExit } from '../observability/log-destination';
import { HttpDrain } from './http-drain.service';
import { EXIT_CODE } from './lifecycle.constants';
import { LifecycleState } from './lifecycle-state.service';
import { ShutdownRegistry } from './shutdown-registry.service';
import { closeWithin } from './shutdown-timeout.error';

/** What a shutdown came to. */
export interface ShutdownOutcome {
  exitCode: number;
  /** Requests that finished during the drain. */
  completed: number;
  /** Requests cut at SHUTDOWN_DRAIN_TIMEOUT_MS. */
  cut: number;
  /** Resources whose close failed or timed out. */
  failed: string[];
  durationMs: number;
}

/** The signals that start a graceful shutdown. */
const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * Owns the shutdown order (SPEC Lifecycle), so that it does not depend on module order or luck:
 * 1. readiness 503 and `Connection: close` on every response, at once;
 * 2. keep serving for SHUTDOWN_DELAY_MS, while load balancers take the instance out of rotation;
 * 3. stop accepting connections (open ones stay);
 * 4. drain: in-flight requests finish, up to SHUTDOWN_DRAIN_TIMEOUT_MS, then the rest are cut;
 * 5. close registered resources phase by phase (outbound, clients, database), each within SHUTDOWN_CLOSE_TIMEOUT_MS;
 * 6. `app.close()`: Nest's own shutdown hooks, for anything not registered (bounded the same way).
 * Each phase is logged with its duration. A second signal exits at once.
 */
@Injectable()
export class ShutdownCoordinator {
  private readonly logger = new Logger('Shutdown');
  private running: Promise<ShutdownOutcome> | undefined;

  constructor(
    private readonly config: ConfigService<AllConfig, true>,
    private readonly state: LifecycleState,
    private readonly drain: HttpDrain,
    private readonly registry: ShutdownRegistry,
  ) {}

  /** Runs the shutdown once for `app`; later calls return the same outcome. Never exits the process. */
  shutdown(app: INestApplication, reason: string): Promise<ShutdownOutcome> {
    this.running ??= this.run(app, reason);
    return this.running;
  }

  /**
   * Installs the signal handlers (bootstrap.ts only, never in tests): the first SIGTERM, SIGINT or SIGHUP (a closed
   * terminal) runs
   * {@link shutdown} and exits with its code; a second one exits at once with 128 + its number.
   */
  handleSignals(app: INestApplication): void {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.running) {
        // At once means not waiting for a blocked stdout either: what it does not take now is dropped.
        dropQueuedLogsAtExit();
        this.logger.warn(`${signal} received again: exiting at once`);
        process.exit(128 + osConstants.signals[signal]);
      }
      void this.shutdown(app, signal).then(
        (outcome) => process.exit(outcome.exitCode),
        (error: unknown) => {
          this.logger.error(`shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          process.exit(EXIT_CODE.closeFailed);
        },
      );
    };
    for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
  }

  private async run(app: INestApplication, reason: string): Promise<ShutdownOutcome> {
    const { delayMs, drainTimeoutMs, closeTimeoutMs } = this.config.get('shutdown', { infer: true });
    const started = performance.now();
    this.state.beginShutdown();
    this.drain.closeAfterResponses();
    this.logger.log(
      `${reason} received: readiness now 503, every response closes its connection; serving ${this.drain.inFlight} in-flight ` +
        `request(s) on ${this.drain.openConnections} connection(s); delay ${delayMs} ms, drain up to ${drainTimeoutMs} ms`,
    );

    let phase = performance.now();
    if (delayMs > 0) {
      await sleep(delayMs);
      this.logger.log(`delay: served ${delayMs} ms while unready (${elapsed(phase)} ms)`);
    }

    phase = performance.now();
    await this.drain.stopAccepting();
    this.logger.log(`stopped accepting connections (${elapsed(phase)} ms); ${this.drain.inFlight} request(s) in flight`);

    const drained = await this.drain.drain(drainTimeoutMs);
    if (drained.cut > 0) {
      this.logger.error(
        `drain: deadline of ${drainTimeoutMs} ms reached, cut ${drained.cut} request(s); ${drained.completed} served since the signal (${drained.durationMs} ms)`,
      );
    } else {
      this.logger.log(`drain: all connections closed; ${drained.completed} request(s) served since the signal (${drained.durationMs} ms)`);
    }

    phase = performance.now();
    const { failed } = await this.registry.closeAll(closeTimeoutMs);
    this.logger.log(`resources closed (${elapsed(phase)} ms)`);

    phase = performance.now();
    try {
      await closeWithin('application hooks', closeTimeoutMs, () => app.close());
      this.logger.log(`application hooks done (${elapsed(phase)} ms)`);
    } catch (error) {
      failed.push('application hooks');
      this.logger.error(`application hooks failed after ${elapsed(phase)} ms: ${error instanceof Error ? error.message : String(error)}`);
    }

    const exitCode = drained.cut > 0 ? EXIT_CODE.drainCut : failed.length > 0 ? EXIT_CODE.closeFailed : EXIT_CODE.clean;
    const durationMs = elapsed(started);
    this.logger.log(`shutdown complete in ${durationMs} ms: exit ${exitCode}`);
    return { exitCode, completed: drained.completed, cut: drained.cut, failed, durationMs };
  }
}

function elapsed(since: number): number {
  return Math.round(performance.now() - since);
}
