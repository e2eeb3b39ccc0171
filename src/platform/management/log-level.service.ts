import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { PinoLogger } from 'nestjs-pino';
import pino, { type LevelWithSilent, type Logger as PinoRoot } from 'pino';
import type { Gauge } from 'prom-client';
import { collectOnScrape, InjectRootLogger } from '../observability';
import { MANAGEMENT_METRIC } from './management.constants';
import { MANAGEMENT_OPTIONS } from './management.module-definition';
import type { ManagementModuleOptions } from './management-options.interface';

/** The levels a PUT may set. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** What GET /admin/log-level answers. */
export interface LogLevelState {
  level: string;
  /** The level configured at boot (LOG_LEVEL), which a temporary level reverts to. */
  baseLevel: string;
  /** When the temporary level reverts (ISO time); null: the base level is in effect. */
  revertsAt: string | null;
}

/**
 * The log level at run time: `set` changes it at once for every logger — the root pino logger (request lines,
 * the edge) and nestjs-pino's (every Nest `Logger`), which pino-http made a child of it with a level of its own —
 * and reverts to LOG_LEVEL by itself after a bounded TTL. Each change is logged as an audit line at `warn`.
 */
@Injectable()
export class LogLevelService implements OnModuleDestroy {
  private readonly logger = new Logger('Management');
  private timer: NodeJS.Timeout | undefined;
  private revertsAt: number | undefined;
  private readonly unhook: () => void;

  constructor(
    @InjectRootLogger() private readonly root: PinoRoot,
    @Inject(MANAGEMENT_OPTIONS) private readonly options: ManagementModuleOptions,
    @InjectMetric(MANAGEMENT_METRIC.logLevel) gauge: Gauge,
  ) {
    this.unhook = collectOnScrape(gauge, () => gauge.set(levelNumber(this.root.level)));
  }

  /** The level now, the base level and when a temporary one reverts. */
  state(): LogLevelState {
    return {
      level: this.root.level,
      baseLevel: this.options.baseLogLevel,
      revertsAt: this.revertsAt === undefined ? null : new Date(this.revertsAt).toISOString(),
    };
  }

  /**
   * Sets `level` for `ttlSeconds` (bounded by the router), then reverts to the base level. Setting
   * the base level ends a temporary one. `by` names who asked, for the audit line.
   */
  set(level: LevelWithSilent, ttlSeconds: number, by: string): LogLevelState {
    const from = this.root.level;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.revertsAt = undefined;
    this.apply(level);
    if (level !== this.options.baseLogLevel) {
      this.revertsAt = Date.now() + ttlSeconds * 1000;
      this.timer = setTimeout(() => this.revert(), ttlSeconds * 1000);
      this.timer.unref();
    }
    const until =
      this.revertsAt === undefined
        ? ''
        : ` for ${ttlSeconds} s (reverts to ${this.options.baseLogLevel} at ${new Date(this.revertsAt).toISOString()})`;
    this.logger.warn(`audit: log level changed from ${from} to ${level}${until} by ${by}`);
    return this.state();
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
    this.unhook();
  }

  private revert(): void {
    const from = this.root.level;
    this.timer = undefined;
    this.revertsAt = undefined;
    this.apply(this.options.baseLogLevel as LevelWithSilent);
    this.logger.warn(`audit: log level reverted from ${from} to ${this.options.baseLogLevel} (TTL expired)`);
  }

  private apply(level: LevelWithSilent): void {
    this.root.level = level;
    // nestjs-pino's documented handle on its logger ("the most root logger that can be used to change params at runtime").
    const nest = (PinoLogger as { root?: PinoRoot }).root;
    if (nest && nest !== this.root) nest.level = level;
  }
}

/** pino's number for a level (`log_level` gauge); `silent` is +Inf. */
export function levelNumber(level: string): number {
  return level === 'silent' ? Number.POSITIVE_INFINITY : (pino.levels.values[level] ?? Number.NaN);
}
