import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Counter } from 'prom-client';
import type { AllConfig } from '../../config/app-config';
import { METRIC } from '../observability/metrics.constants';
import { abortRequest, contextOf, type RequestContext } from '../request-context/request-context';
import { type EdgeProblem, edgeProblem, sendEdgeProblem } from './edge-problem';
import { ClientClosedRequestError, RequestTimeoutError } from './resilience.errors';

/** A request waiting for its response, in the deadline queue (arrival order, which is deadline order). */
interface Pending {
  context: RequestContext;
  res: ServerResponse;
  deadlineAt: number;
  prev: Pending | undefined;
  next: Pending | undefined;
  queued: boolean;
}

const PENDING = Symbol('ballast:deadline');
type WithPending = ServerResponse & { [PENDING]?: Pending };

/**
 * Edge slot 3b: the whole-request deadline (REQUEST_TIMEOUT_MS). Puts `deadlineAt` in the request context and
 * aborts the request's work (its signal, database statements, outbound calls) when the deadline passes or the
 * client goes away before its response is complete. At the deadline a request not yet answered gets 504
 * problem+json; whatever its handler returns later is dropped.
 *
 * Every request has the same timeout, so deadlines come in arrival order: the requests in flight wait in one
 * FIFO list, watched by one timer armed for the oldest (not a timer and an AbortController per request, which
 * cost ~3 µs and four objects on every request while almost none ever expires). A response's `close` takes it
 * off the list (one listener function shared by all responses). Hand-written: timer-wheel packages solve
 * mixed timeouts, this needs a list.
 */
@Injectable()
export class RequestDeadlineMiddleware implements OnModuleDestroy {
  private readonly timeoutMs: number;
  private readonly timeout: EdgeProblem = edgeProblem(new RequestTimeoutError());
  private readonly rejected: Counter.Internal;
  private head: Pending | undefined;
  private tail: Pending | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly onClose: (this: WithPending) => void;

  constructor(config: ConfigService<AllConfig, true>, @InjectMetric(METRIC.httpRequestsRejected) rejected: Counter<string>) {
    this.timeoutMs = config.get('resilience.requestTimeoutMs', { infer: true });
    this.rejected = rejected.labels('timeout');
    this.rejected.inc(0);
    const closed = (res: WithPending) => this.closed(res);
    this.onClose = function (this: WithPending) {
      closed(this);
    };
  }

  /** The edge handler: `app.use(deadline.handle)`. */
  readonly handle = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const context = contextOf(req);
    const deadlineAt = context.startedAt + this.timeoutMs;
    context.deadlineAt = deadlineAt;
    const entry: Pending = { context, res, deadlineAt, prev: this.tail, next: undefined, queued: true };
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    (res as WithPending)[PENDING] = entry;
    if (!this.timer) this.arm(deadlineAt);
    res.on('close', this.onClose);
    next();
  };

  onModuleDestroy(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private closed(res: WithPending): void {
    const entry = res[PENDING];
    if (!entry) return;
    res[PENDING] = undefined;
    this.unlink(entry);
    if (!res.writableFinished) abortRequest(entry.context, new ClientClosedRequestError());
  }

  private unlink(entry: Pending): void {
    if (!entry.queued) return;
    entry.queued = false;
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = entry.next = undefined;
  }

  private arm(deadlineAt: number): void {
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(deadlineAt - performance.now())));
    // In-flight requests keep the process alive by their sockets; the timer alone must not.
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = performance.now();
    while (this.head && this.head.deadlineAt <= now) {
      const entry = this.head;
      this.unlink(entry);
      this.expire(entry);
    }
    if (this.head) this.arm(this.head.deadlineAt);
  };

  private expire({ res, context }: Pending): void {
    // A response already streaming is left to finish; only the work below it is told to stop.
    if (!res.headersSent) {
      this.rejected.inc();
      sendEdgeProblem(res, this.timeout);
    }
    abortRequest(context, new RequestTimeoutError());
  }
}
