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
import { ConcurrencyLimitError } from './resilience.errors';

/** Shedding is logged at most this often (with the number of refusals since the last line). */
export const SHED_LOG_INTERVAL_MS = 10_000;

/**
 * The global in-flight cap (HTTP_CONCURRENCY_LIMIT), in front of the application (or edge slot 3a when CORS
 * is on; see configure-http-server.ts). A request beyond it gets 503 problem+json
 * with Retry-After straight from Node, before Express, body parsing and Nest, from a response serialised once:
 * under a flood the refusals themselves are most of the work, so they must cost as little as possible.
 * Health and metrics paths bypass the cap (and are marked exempt for permits) and are not counted.
 */
@Injectable()
export class AdmissionControlMiddleware implements OnModuleDestroy {
  private inFlight = 0;
  private readonly limit: number;
  private readonly refusal: EdgeProblem = edgeProblem(new ConcurrencyLimitError());
  private readonly rejected: Counter.Internal;
  private readonly shedLog = new IntervalLogger(new Logger('Admission'), SHED_LOG_INTERVAL_MS);

  constructor(
    config: ConfigService<AllConfig, true>,
    @InjectMetric(METRIC.httpRequestsInFlight) private readonly inFlightGauge: Gauge<string>,
    @InjectMetric(METRIC.httpRequestsRejected) rejected: Counter<string>,
    private readonly exemptPaths: ExemptPaths,
  ) {
    this.limit = config.get('resilience.httpConcurrencyLimit', { infer: true });
    this.rejected = rejected.labels('concurrency');
    this.rejected.inc(0);
    this.inFlightGauge.set(0);
    // Read when /metrics is scraped, not set twice per request (each prom-client `set` hashes its labels).
    this.unhookInFlight = collectOnScrape(inFlightGauge, () => inFlightGauge.set(this.inFlight));
  }

  private readonly unhookInFlight: () => void;

  onModuleDestroy(): void {
    this.unhookInFlight();
  }

  /** Requests admitted and not yet answered (or abandoned). */
  get current(): number {
    return this.inFlight;
  }

  /** The edge handler: `app.use(admission.handle)` (the in-app placement; see {@link installInFront}). */
  readonly handle = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (this.admit(req, res)) next();
    else this.refuse(req, res);
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
    if (listeners.length !== 1 || !app) throw new Error(`admission control expects one request listener on the server, found ${listeners.length}`);
    server.removeListener('request', app);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.admit(req, res)) {
        app(req, res);
        return;
      }
      prepareRefusal(req, res);
      this.refuse(req, res);
    });
  }

  /** Counts the request in (true), or says it must be refused (false); exempt paths always pass, uncounted. */
  private admit(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.exemptPaths.matches(req.url ?? '')) {
      contextOf(req).exempt = true;
      return true;
    }
    if (this.inFlight >= this.limit) return false;
    this.inFlight++;
    // 'close' fires exactly once per response: after 'finish', or when the connection dies first.
    res.on('close', this.onClose);
    return true;
  }

  private refuse(req: IncomingMessage, res: ServerResponse): void {
    this.rejected.inc();
    // Counted in the HTTP metrics with its 503 like any response, but summarised in the log instead of
    // one warn line per refusal: under a flood, those lines cost as much as the refusals themselves.
    contextOf(req).summarised = true;
    this.shedLog.warn(`shedding load: ${this.limit} requests in flight (HTTP_CONCURRENCY_LIMIT); new ones get 503 at once`);
    sendEdgeProblem(res, this.refusal);
  }

  private readonly onClose = (): void => {
    this.inFlight--;
  };
}
