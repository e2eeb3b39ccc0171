import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Counter, Gauge } from 'prom-client';
import type { AllConfig } from '../../config/app-config';
import { IntervalLogger } from '../observability/interval-logger';
import { collectOnScrape } from '../observability/collect-on-scrape';
import { METRIC } from '../observability/metrics.constants';
import { contextOf } from '../request-context/request-context';
import { type EdgeProblem, edgeProblem, sendEdgeProblem } from './edge-problem';
import { ExemptPaths } from './exempt-paths';
import { GradientLimit } from './gradient-limit';
import { PressureMonitor } from './pressure-monitor';
import { ConcurrencyLimitError, OverloadedError } from './resilience.errors';
import { ShedPriorityRoutes } from './shed-priority.routes';

/** A way of refusing: the precomputed response, its counter and its summary log. */
interface Refusal {
  problem: EdgeProblem;
  counter: Counter.Internal;
  log: IntervalLogger;
  message: string;
}

/** Shedding is logged at most this often (with the number of refusals since the last line). */
export const SHED_LOG_INTERVAL_MS = 10_000;

/**
 * The global in-flight cap (HTTP_CONCURRENCY_LIMIT, fixed or adaptive) and pressure shedding (SHED_MAX_*), in
 * front of the application (or edge slot 3a when CORS is on; see configure-http-server.ts). A request beyond
 * them gets 503 problem+json with Retry-After straight from Node, before Express, body parsing and Nest, from a
 * response serialised once at start: under a flood the refusals themselves are most of the work, so they must
 * cost as little as possible. Per request: one boolean (pressure), one integer compare (the limit), and — only
 * when low-priority routes exist and the service is strained or near the limit — a route lookup.
 * Health and metrics paths bypass all of it (and are marked exempt for permits) and are not counted.
 */
@Injectable()
export class AdmissionControlMiddleware implements OnModuleDestroy {
  private inFlight = 0;
  /** The limit admission compares with: a constant, or the adaptive limiter that moves it. */
  private readonly limiter: { limit: number };
  private readonly adaptive: GradientLimit | undefined;
  private readonly lowShare: number;
  private readonly concurrency: Refusal;
  private readonly pressureRefusal: Refusal;
  private readonly onClose: (this: ServerResponse) => void;

  constructor(
    config: ConfigService<AllConfig, true>,
    private readonly pressure: PressureMonitor,
    private readonly priorities: ShedPriorityRoutes,
    @InjectMetric(METRIC.httpRequestsInFlight) private readonly inFlightGauge: Gauge<string>,
    @InjectMetric(METRIC.httpRequestsRejected) rejected: Counter<string>,
    @InjectMetric(METRIC.httpConcurrencyLimit) private readonly limitGauge: Gauge<string>,
    @InjectMetric(METRIC.httpConcurrencyRtt) private readonly rttGauge: Gauge<string>,
    private readonly exemptPaths: ExemptPaths,
  ) {
    const r = config.get('resilience', { infer: true });
    if (r.httpConcurrencyLimit === 'adaptive') {
      this.adaptive = new GradientLimit({ min: r.httpConcurrencyLimitMin, max: r.httpConcurrencyLimitMax });
      this.limiter = this.adaptive;
    } else {
      this.limiter = { limit: r.httpConcurrencyLimit };
    }
    this.lowShare = r.shedLowPriorityPercent / 100;
    const logger = new Logger('Admission');
    this.concurrency = {
      problem: edgeProblem(new ConcurrencyLimitError()),
      counter: rejected.labels('concurrency'),
      log: new IntervalLogger(logger, SHED_LOG_INTERVAL_MS),
      message: this.adaptive
        ? `shedding load: the adaptive in-flight limit (HTTP_CONCURRENCY_LIMIT=adaptive, ${r.httpConcurrencyLimitMin}-${r.httpConcurrencyLimitMax}) is reached; new ones get 503 at once`
        : `shedding load: ${this.limiter.limit} requests in flight (HTTP_CONCURRENCY_LIMIT); new ones get 503 at once`,
    };
    this.pressureRefusal = {
      problem: edgeProblem(new OverloadedError()),
      counter: rejected.labels('pressure'),
      log: new IntervalLogger(logger, SHED_LOG_INTERVAL_MS),
      message: 'shedding load: under pressure (SHED_MAX_*); new ones get 503 overloaded at once',
    };
    this.concurrency.counter.inc(0);
    this.pressureRefusal.counter.inc(0);
    this.inFlightGauge.set(0);
    // Read when /metrics is scraped, not set per request (each prom-client `set` hashes its labels).
    this.unhook = [
      collectOnScrape(inFlightGauge, () => inFlightGauge.set(this.inFlight)),
      collectOnScrape(limitGauge, () => limitGauge.set(this.limiter.limit)),
      collectOnScrape(rttGauge, this.collectRtt),
    ];
    const countOut = () => this.inFlight--;
    const adaptive = this.adaptive;
    // One listener for all responses (`this` is the response), chosen once: the fixed cap only counts down.
    this.onClose = adaptive
      ? function (this: ServerResponse) {
          const inFlight = countOut();
          // A client that left says nothing about the service's latency.
          if (!this.writableFinished) return;
          const now = performance.now();
          const status = this.statusCode;
          if (status === 503 || status === 504) adaptive.onDrop(now, inFlight);
          else adaptive.onSample(now, now - contextOf(this.req).startedAt, inFlight);
        }
      : function () {
          countOut();
        };
  }

  private readonly unhook: Array<() => void>;
  private readonly collectRtt = () => {
    if (!this.adaptive) return;
    const { minRttMs, sampleRttMs } = this.adaptive;
    if (Number.isFinite(minRttMs)) this.rttGauge.labels('min').set(minRttMs / 1000);
    if (Number.isFinite(sampleRttMs)) this.rttGauge.labels('sample').set(sampleRttMs / 1000);
  };

  onModuleDestroy(): void {
    for (const unhook of this.unhook) unhook();
  }

  /** Requests admitted and not yet answered (or abandoned). */
  get current(): number {
    return this.inFlight;
  }

  /** The in-flight limit in force now (fixed, or where the adaptive limiter has moved it). */
  get limit(): number {
    return this.limiter.limit;
  }

  /** The edge handler: `app.use(admission.handle)` (the in-app placement; see {@link installInFront}). */
  readonly handle = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const refusal = this.admit(req, res);
    if (refusal === undefined) next();
    else this.refuse(req, res, refusal);
  };

  /**
   * Puts admission in front of the whole application on `server`: an admitted request goes on to `app`
   * (Express, the rest of the edge, Nest), a refused one is answered here without entering Express at all.
   * `prepareRefusal` gives a refusal what the edge before admission would have given it (security headers,
   * request id and metrics, `Connection: close` during a drain). A refusal so costs about what it costs in a
   * bare node:http server, which decides how many refusals per second a flood can be met with.
   */
  installInFront(server: Server, prepareRefusal: (req: IncomingMessage, res: ServerResponse) => void): void {
    const listeners = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
    const [app] = listeners;
    if (listeners.length !== 1 || !app)
      throw new Error(`admission control expects one request listener on the server, found ${listeners.length}`);
    server.removeListener('request', app);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const refusal = this.admit(req, res);
      if (refusal === undefined) {
        app(req, res);
        return;
      }
      prepareRefusal(req, res);
      this.refuse(req, res, refusal);
    });
  }

  /** Counts the request in (undefined), or says how to refuse it; exempt paths always pass, uncounted. */
  private admit(req: IncomingMessage, res: ServerResponse): Refusal | undefined {
    if (this.exemptPaths.matches(req.url ?? '')) {
      contextOf(req).exempt = true;
      return undefined;
    }
    if (this.pressure.overloaded) return this.pressureRefusal;
    const limit = this.limiter.limit;
    if (this.inFlight >= limit) return this.concurrency;
    if (this.priorities.any) {
      const strained = this.pressure.strained;
      if ((strained || this.inFlight >= Math.floor(limit * this.lowShare)) && this.priorities.isLow(req))
        return strained ? this.pressureRefusal : this.concurrency;
    }
    this.inFlight++;
    // The adaptive limit measures from here (creates the context now: the telemetry edge may run after this).
    if (this.adaptive) contextOf(req);
    // 'close' fires exactly once per response: after 'finish', or when the connection dies first.
    res.on('close', this.onClose);
    return undefined;
  }

  private refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
    refusal.counter.inc();
    // Counted in the HTTP metrics with its 503 like any response, but summarised in the log instead of
    // one warn line per refusal: under a flood, those lines cost as much as the refusals themselves.
    contextOf(req).summarised = true;
    refusal.log.warn(refusal.message);
    sendEdgeProblem(res, refusal.problem);
  }
}
