import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Counter } from 'prom-client';
import type { AllConfig } from '../../config/app-config';
import { METRIC } from '../observability/metrics.constants';
import { contextOf } from '../request-context/request-context';
import { type EdgeProblem, edgeProblem, sendEdgeProblem } from './edge-problem';
import { ClientClosedRequestError, RequestTimeoutError } from './resilience.errors';

/**
 * Edge slot 3b: the whole-request deadline (REQUEST_TIMEOUT_MS). Puts `deadlineAt` and an AbortSignal in the
 * request context; the signal aborts when the deadline passes or the client goes away before its response
 * is complete, so work below stops (database statements are cancelled, outbound calls aborted). At the
 * deadline a request not yet answered gets 504 problem+json; whatever its handler returns later is dropped.
 * The timer is cleared when the response closes.
 */
@Injectable()
export class RequestDeadlineMiddleware {
  private readonly timeoutMs: number;
  private readonly timeout: EdgeProblem = edgeProblem(new RequestTimeoutError());
  private readonly rejected: Counter.Internal;

  constructor(config: ConfigService<AllConfig, true>, @InjectMetric(METRIC.httpRequestsRejected) rejected: Counter<string>) {
    this.timeoutMs = config.get('resilience.requestTimeoutMs', { infer: true });
    this.rejected = rejected.labels('timeout');
    this.rejected.inc(0);
  }

  /** The edge handler: `app.use(deadline.handle)`. */
  readonly handle = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const context = contextOf(req);
    const controller = new AbortController();
    context.signal = controller.signal;
    context.deadlineAt = context.startedAt + this.timeoutMs;
    const timer = setTimeout(() => this.expire(res, controller), Math.max(0, context.deadlineAt - performance.now()));
    res.on('close', () => {
      clearTimeout(timer);
      if (!res.writableFinished) controller.abort(new ClientClosedRequestError());
    });
    next();
  };

  private expire(res: ServerResponse, controller: AbortController): void {
    // A response already streaming is left to finish; only the work below it is told to stop.
    if (!res.headersSent) {
      this.rejected.inc();
      sendEdgeProblem(res, this.timeout);
    }
    controller.abort(new RequestTimeoutError());
  }
}
