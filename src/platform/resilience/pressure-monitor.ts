import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { AllConfig } from '../../config/app-config';

/** How often the pressure signals are sampled (ms); each sample covers the interval since the previous one. */
export const PRESSURE_SAMPLE_INTERVAL_MS = 250;

/** Resolution of the event-loop delay histogram (ms): Node's default, and under-pressure's. */
const DELAY_RESOLUTION_MS = 10;

/** The thresholds of pressure shedding; an undefined one is off. */
export interface PressureThresholds {
  maxEventLoopDelayMs?: number;
  maxEventLoopUtilization?: number;
  maxHeapUsedPercent?: number;
  /** Low-priority work is shed from this percent of each threshold on. @default 80 */
  lowPriorityPercent: number;
}

/** One sample of the pressure signals. */
export interface PressureSample {
  /** Mean event-loop delay over the interval, ms, beyond the histogram's resolution. */
  eventLoopDelayMs: number;
  /** Share of the interval the event loop was busy, 0…1. */
  eventLoopUtilization: number;
  /** V8 heap used, percent of the heap limit (heap_size_limit: follows --max-old-space-size). */
  heapUsedPercent: number;
}

/**
 * Pressure shedding's sensor, off the request path: an unref'd timer samples event-loop delay
 * (`monitorEventLoopDelay`), event-loop utilisation and heap use every {@link PRESSURE_SAMPLE_INTERVAL_MS}
 * and sets two booleans that admission control reads per request — `overloaded` (a signal past its
 * threshold: shed everything but health and metrics) and `strained` (past the low-priority share of a
 * threshold: shed low-priority routes). Hand-written: @fastify/under-pressure does this for Fastify only,
 * and overload-protection / toobusy-js measure lag with a timer of their own and answer the response themselves.
 * Readiness does not follow these flags on purpose (docs/resilience.md).
 */
@Injectable()
export class PressureMonitor implements OnModuleInit, OnModuleDestroy {
  /** A signal is past its threshold: every sheddable request is refused. */
  overloaded = false;
  /** A signal is past the low-priority share of its threshold: low-priority requests are refused. */
  strained = false;
  /** The latest sample (for logs and tests); undefined before the first one or when every signal is off. */
  last: PressureSample | undefined;

  private readonly thresholds: PressureThresholds;
  private histogram: ReturnType<typeof monitorEventLoopDelay> | undefined;
  private elu: EventLoopUtilization | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly logger = new Logger('Pressure');

  constructor(config: ConfigService<AllConfig, true>) {
    const r = config.get('resilience', { infer: true });
    this.thresholds = {
      maxEventLoopDelayMs: r.shedMaxEventLoopDelayMs,
      maxEventLoopUtilization: r.shedMaxEventLoopUtilization,
      maxHeapUsedPercent: r.shedMaxHeapUsedPercent,
      lowPriorityPercent: r.shedLowPriorityPercent,
    };
  }

  /** Whether any signal is configured; with none, nothing is sampled and both flags stay false. */
  get enabled(): boolean {
    const t = this.thresholds;
    return t.maxEventLoopDelayMs !== undefined || t.maxEventLoopUtilization !== undefined || t.maxHeapUsedPercent !== undefined;
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    if (this.thresholds.maxEventLoopDelayMs !== undefined) {
      this.histogram = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
      this.histogram.enable();
    }
    this.elu = performance.eventLoopUtilization();
    this.timer = setInterval(this.sample, PRESSURE_SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.histogram?.disable();
    this.histogram = undefined;
    this.overloaded = this.strained = false;
  }

  private readonly sample = (): void => {
    let eventLoopDelayMs = 0;
    if (this.histogram) {
      // The mean, not the max: one GC pause must not shed a whole interval (under-pressure does the same).
      const mean = this.histogram.count > 0 ? this.histogram.mean / 1e6 : 0;
      eventLoopDelayMs = Math.max(0, mean - DELAY_RESOLUTION_MS);
      this.histogram.reset();
    }
    const now = performance.eventLoopUtilization();
    const eventLoopUtilization = performance.eventLoopUtilization(now, this.elu).utilization;
    this.elu = now;
    let heapUsedPercent = 0;
    if (this.thresholds.maxHeapUsedPercent !== undefined) {
      const heap = getHeapStatistics();
      heapUsedPercent = (100 * heap.used_heap_size) / heap.heap_size_limit;
    }
    this.apply({ eventLoopDelayMs, eventLoopUtilization, heapUsedPercent });
  };

  /** Sets the flags from a sample (public for unit tests: the thresholds' arithmetic without a busy loop). */
  apply(sample: PressureSample): void {
    this.last = sample;
    const t = this.thresholds;
    const share = t.lowPriorityPercent / 100;
    const ratio = Math.max(
      t.maxEventLoopDelayMs === undefined ? 0 : sample.eventLoopDelayMs / t.maxEventLoopDelayMs,
      t.maxEventLoopUtilization === undefined ? 0 : sample.eventLoopUtilization / t.maxEventLoopUtilization,
      t.maxHeapUsedPercent === undefined ? 0 : sample.heapUsedPercent / t.maxHeapUsedPercent,
    );
    const overloaded = ratio > 1;
    if (overloaded !== this.overloaded) {
      const what = [
        t.maxEventLoopDelayMs === undefined
          ? ''
          : `event-loop delay ${sample.eventLoopDelayMs.toFixed(1)} ms (max ${t.maxEventLoopDelayMs})`,
        t.maxEventLoopUtilization === undefined
          ? ''
          : `utilisation ${sample.eventLoopUtilization.toFixed(2)} (max ${t.maxEventLoopUtilization})`,
        t.maxHeapUsedPercent === undefined ? '' : `heap ${sample.heapUsedPercent.toFixed(1)} % (max ${t.maxHeapUsedPercent})`,
      ]
        .filter(Boolean)
        .join(', ');
      if (overloaded) this.logger.warn(`under pressure (${what}): shedding with 503 overloaded`);
      else this.logger.log(`pressure back under the thresholds (${what})`);
    }
    this.overloaded = overloaded;
    this.strained = ratio > share;
  }
}
