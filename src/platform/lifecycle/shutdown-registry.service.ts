import { Injectable, Logger } from '@nestjs/common';
import { SHUTDOWN_PHASES, type ShutdownPhase } from './lifecycle.constants';
import { closeWithin } from './shutdown-timeout.error';

/** A resource to close at shutdown. */
export interface ShutdownHook {
  phase: ShutdownPhase;
  /** Shown in the shutdown log. */
  name: string;
  close: () => Promise<void> | void;
}

/** What closing the registered resources came to. */
export interface CloseReport {
  /** Names of the resources whose close threw or timed out. */
  failed: string[];
}

/**
 * Where a module registers a resource it opened so that it closes after the HTTP drain, in its phase's
 * place ({@link SHUTDOWN_PHASES}): `registry.register('clients', 'redis', () => redis.quit())`, usually in the
 * constructor or `onModuleInit` of the provider that opened it. Closing must be idempotent: Nest's own
 * shutdown hooks (`onApplicationShutdown`) run afterwards and may close the same resource again.
 */
@Injectable()
export class ShutdownRegistry {
  private readonly logger = new Logger('Shutdown');
  private readonly hooks: ShutdownHook[] = [];

  /** Registers `close` to run in `phase`. */
  register(phase: ShutdownPhase, name: string, close: () => Promise<void> | void): void {
    this.hooks.push({ phase, name, close });
  }

  /** The registered resources, in the order they will close. */
  get registered(): readonly ShutdownHook[] {
    return SHUTDOWN_PHASES.flatMap((phase) => this.hooks.filter((hook) => hook.phase === phase));
  }

  /**
   * Closes every registered resource, phase by phase; the resources of one phase concurrently, each within
   * `timeoutMs`. A failure or a timeout is logged and does not stop the later phases.
   */
  async closeAll(timeoutMs: number): Promise<CloseReport> {
    const failed: string[] = [];
    for (const phase of SHUTDOWN_PHASES) {
      const hooks = this.hooks.filter((hook) => hook.phase === phase);
      await Promise.all(
        hooks.map(async (hook) => {
          const started = performance.now();
          try {
            await closeWithin(hook.name, timeoutMs, hook.close);
            this.logger.log(`closed ${hook.name} (${phase}) in ${elapsed(started)} ms`);
          } catch (error) {
            failed.push(hook.name);
            this.logger.error(`closing ${hook.name} (${phase}) failed after ${elapsed(started)} ms: ${describe(error)}`);
          }
        }),
      );
    }
    return { failed };
  }
}

function elapsed(since: number): number {
  return Math.round(performance.now() - since);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
