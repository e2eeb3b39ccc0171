import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../../config/app-config';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger as PinoLogger } from 'pino';
import type { Counter, Histogram } from 'prom-client';
import { clientIpOf, contextOf, type RequestContext } from '../request-context/request-context';
import { collectOnScrape } from './collect-on-scrape';
import { InjectRootLogger } from './logging.constants';
import { METRIC } from './metrics.constants';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';
import { expressRoutes } from './express-routes';
import { methodLabel, routeLabel, UNMATCHED_ROUTE } from './route-label';
import { RouteTable } from './route-table';
import { requestLineWriter } from './request-line';
import { acceptTraceparent, acceptTracestate, traceIdOf } from './trace-context';
import { endServerSpan, startServerSpan, TRACING_ATTRIBUTE, tracingActive, withServerSpan } from '../spans';
import { type Span, TraceFlags } from '@opentelemetry/api';

/** Label names of the HTTP RED metrics. */
export type HttpMetricLabel = 'method' | 'route' | 'status_code';

/** Status recorded when the client went away before any response header was sent (nginx's convention). */
export const CLIENT_CLOSED_REQUEST = 499;

/** Longest `path` written in a request line; the route template carries the shape, this is for debugging. */
const LOGGED_PATH_MAX_LENGTH = 256;

type ExpressLikeRequest = IncomingMessage & { originalUrl?: string; ip?: string };

/**
 * Slot 1 of the HTTP edge (see configure-http-server.ts), before anything can refuse the request:
 * - request id: a sane incoming `X-Request-Id` or a new UUID, echoed in the response, stored in the
 *   request context (and so in every log line of the request);
 * - W3C trace context: a valid `traceparent` (+ `tracestate`) is kept for logs and outbound calls;
 * - when the response is done (or the connection closed first): `http_request_duration_seconds` and
 *   `http_requests_total` by method, route template and the status the client actually got — set by
 *   whoever answered: a controller, the exception filter, the rate limiter, admission control — and one
 *   JSON request line. Plain Node `(req, res, next)`: no Express API except the route reads (route-label.ts,
 *   express-routes.ts).
 * The hot path makes one prom-client call, the histogram observation, instead of two (each validates and
 * hashes its labels): `http_requests_total` is by definition the histogram's `_count` and is filled from
 * it at scrape time. `http_requests_in_flight` belongs to admission control, which counts what it admits.
 */
@Injectable()
export class HttpTelemetryMiddleware implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly onClose: (this: ServerResponse) => void;
  /** The app's routes, to label requests refused before the router ran; built once the routes are registered. */
  private routes: RouteTable | undefined;
  /** PROTECTIONS_DISABLED=http_metrics: no HTTP histogram (request ids and logs stay). */
  private readonly metricsDisabled: boolean;
  private readonly unhookTotal: () => void;
  private readonly writeLine: ReturnType<typeof requestLineWriter>;
  /** Tracing runs: every request gets a SERVER span decision at the edge. */
  private readonly tracing = tracingActive();
  /** The histogram keeps exemplars (tracing on): observations take prom-client's object form. */
  private readonly exemplars: boolean;

  constructor(
    @InjectMetric(METRIC.httpRequestDuration) private readonly duration: Histogram<HttpMetricLabel>,
    @InjectMetric(METRIC.httpRequestsTotal) private readonly total: Counter<HttpMetricLabel>,
    @InjectRootLogger() private readonly logger: PinoLogger,
    config: ConfigService<AllConfig, true>,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.metricsDisabled = config.get('protections.disabled', { infer: true }).includes('http_metrics');
    this.writeLine = requestLineWriter(logger);
    this.exemplars = (duration as unknown as { enableExemplars?: boolean }).enableExemplars === true;
    // One listener function for all responses (`this` is the response): no closure allocated per request.
    const record = (req: IncomingMessage, res: ServerResponse) => this.record(req, res);
    this.onClose = function (this: ServerResponse) {
      record(this.req, this);
    };
    this.unhookTotal = collectOnScrape(total, () => this.copyCountsIntoTotal());
  }

  /** The edge handler: `app.use(app.get(HttpTelemetryMiddleware).handle)`. */
  readonly handle = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const context = contextOf(req);
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    context.requestId = requestId;
    const traceparent = acceptTraceparent(req.headers.traceparent);
    if (traceparent !== undefined) {
      context.traceparent = traceparent;
      context.tracestate = acceptTracestate(req.headers.tracestate);
    }
    res.setHeader(REQUEST_ID_HEADER, requestId);
    // Reads (and caches on the socket) the peer address now: after a reset it is no longer available.
    void req.socket.remoteAddress;
    // 'close' follows 'finish' for every completed response and also fires alone when the connection
    // drops first: one listener sees every request exactly once.
    res.on('close', this.onClose);
    if (!this.tracing) return next();
    // The sampling decision, first: only a sampled request gets attributes and an active context.
    const span = startServerSpan(req, traceparent, context.tracestate);
    context.traceSpan = span;
    const ids = span.spanContext();
    // Its ids go on the request line and log lines (unsampled too: a log search by trace id still works).
    context.span = { traceId: ids.traceId, spanId: ids.spanId, sampled: (ids.traceFlags & TraceFlags.SAMPLED) !== 0 };
    withServerSpan(req, next);
  };

  /** Nest calls this after it registered every route (app.init()), before the server can take a request. */
  onApplicationBootstrap(): void {
    const found = expressRoutes(this.adapterHost.httpAdapter?.getInstance());
    if (found === undefined) {
      new Logger('HttpTelemetry').warn(
        'cannot read the routes from the HTTP adapter (not Express 5?): requests refused before routing are labelled route="unmatched"',
      );
      return;
    }
    this.routes = new RouteTable(found.routes, found.matching);
  }

  private record(req: IncomingMessage, res: ServerResponse): void {
    const context = contextOf(req);
    const seconds = (performance.now() - context.startedAt) / 1000;
    const status = res.headersSent ? res.statusCode : CLIENT_CLOSED_REQUEST;
    const labels = { method: methodLabel(req.method), route: routeLabel(req, status, this.routes), status_code: status };
    if (!this.metricsDisabled) {
      if (this.exemplars && context.span?.sampled)
        (this.duration as Histogram<string>).observe({ labels, value: seconds, exemplarLabels: { trace_id: context.span.traceId } });
      else this.duration.observe(labels, seconds);
    }
    this.logRequest(req, context, labels.route, status, seconds);
    const span = context.traceSpan;
    if (span?.isRecording()) {
      finishServerSpan(span, req, res, labels.route);
      endServerSpan(span, status);
    }
  }

  /** `http_requests_total` = the histogram's `_count` per label set (monotonic, as the histogram's counts are). */
  private async copyCountsIntoTotal(): Promise<void> {
    const { values } = await this.duration.get();
    const countName = `${METRIC.httpRequestDuration}_count`;
    this.total.reset();
    for (const sample of values) if (sample.metricName === countName) this.total.inc(sample.labels, sample.value);
  }

  onModuleDestroy(): void {
    this.unhookTotal();
  }

  /**
   * One line per request: info, or warn for 5xx and for clients that left before the answer. Requests shed by
   * admission control are the exception: its summary line stands for them (their metrics are recorded).
   */
  private logRequest(req: ExpressLikeRequest, context: RequestContext, route: string, status: number, seconds: number): void {
    if (context.summarised) return;
    const level = status >= 500 || status === CLIENT_CLOSED_REQUEST ? 'warn' : 'info';
    if (!this.logger.isLevelEnabled(level)) return;
    const url = req.originalUrl ?? req.url ?? '';
    const query = url.indexOf('?');
    // The query string is left out: it can carry tokens, and it is unbounded.
    const path = (query === -1 ? url : url.slice(0, query)).slice(0, LOGGED_PATH_MAX_LENGTH);
    this.writeLine(level, {
      requestId: context.requestId,
      traceId: context.span || context.traceparent === undefined ? undefined : traceIdOf(context.traceparent),
      trace_id: context.span?.traceId,
      span_id: context.span?.spanId,
      method: req.method,
      route,
      path,
      status,
      durationMs: Math.round(seconds * 10_000) / 10,
      ip: clientIpOf(req),
      userAgent: req.headers['user-agent']?.slice(0, LOGGED_PATH_MAX_LENGTH),
      principal: context.principal?.id,
    });
  }
}

/**
 * Names a SERVER span after its route template (`GET /api/v1/users/:id`, or the method alone when no route
 * matched, as the HTTP conventions ask: a raw path would be unbounded) and adds `http.route`, the request id
 * and, during a drain, that the response closed its connection.
 */
function finishServerSpan(span: Span, req: IncomingMessage, res: ServerResponse, route: string): void {
  if (route === UNMATCHED_ROUTE) {
    span.updateName(req.method ?? 'HTTP');
  } else {
    span.updateName(`${req.method ?? 'HTTP'} ${route}`);
    span.setAttribute('http.route', route);
  }
  const { requestId } = contextOf(req);
  if (requestId !== undefined) span.setAttribute(TRACING_ATTRIBUTE.requestId, requestId);
  if (res.getHeader('connection') === 'close') span.setAttribute('ballast.connection_close', true);
}
