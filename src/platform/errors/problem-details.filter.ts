import type { IncomingMessage } from 'node:http';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { STATUS_CODES } from 'node:http';
import { contextOf } from '../request-context/request-context';
import { markRefusal } from '../spans';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_PREFIX, type ProblemDetails } from './problem-details';
import { ProblemError } from './problem.error';
import { ProblemTranslators } from './problem-translators.service';

/** Statuses that mean a protection refused the request (their slug becomes the span's refusal reason). */
const REFUSAL_STATUSES = new Set([413, 415, 429, 503, 504]);

/** Problem `type` slugs for statuses raised as plain Nest/Express HTTP errors. */
const SLUG_BY_STATUS: Record<number, string> = {
  400: 'bad-request',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'rate-limited',
};

/** Generic details for statuses whose framework message is not fit for clients. */
const DETAIL_BY_STATUS: Record<number, string> = {
  404: 'No resource matches this method and path.',
  413: 'The request body is larger than the limit.',
  415: 'The request body must be application/json.',
};

/**
 * The one exception filter: every error leaves as `application/problem+json` (RFC 9457). Known errors
 * keep their status; anything unexpected becomes a generic 500 whose detail goes to the log only.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly translators: ProblemTranslators,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const response = ctx.getResponse<{ headersSent?: boolean; writableEnded?: boolean; destroyed?: boolean; destroy?: () => void }>();
    // Answered already (the deadline's 504) or abandoned by the client: a late error or a late result
    // (Express throws "headers already sent") has nobody to go to.
    if (response.writableEnded || response.destroyed) {
      this.logger.debug(`after the response ended: ${describe(exception)}`);
      return;
    }
    const problemError = exception instanceof ProblemError ? exception : this.translators.translate(exception);
    const { body, headers } = problemError ? this.fromProblemError(problemError) : this.fromOther(exception);
    const req = ctx.getRequest<IncomingMessage>();
    const requestId = contextOf(req).requestId;
    if (requestId !== undefined) body.requestId = requestId;
    if (REFUSAL_STATUSES.has(body.status)) markRefusal(body.type.slice(PROBLEM_TYPE_PREFIX.length), req);
    // Known 503/504s (shedding, timeouts, a database outage) are expected under load: counted in metrics and
    // in the request log line already; a stack per refusal would flood the log exactly when it hurts most.
    if (problemError && body.status >= 500) this.logger.debug(`${body.type}: ${describe(problemError.options.cause ?? exception)}`);
    else if (body.status >= 500) this.logger.error(describe(exception), exception instanceof Error ? exception.stack : undefined);
    if (response.headersSent) {
      response.destroy?.();
      return;
    }
    const adapter = this.adapterHost.httpAdapter;
    adapter.setHeader(response, 'Content-Type', PROBLEM_CONTENT_TYPE);
    for (const [name, value] of Object.entries(headers)) adapter.setHeader(response, name, value);
    adapter.reply(response, body, body.status);
  }

  private fromProblemError(error: ProblemError): { body: ProblemDetails; headers: Record<string, string> } {
    const headers: Record<string, string> = { ...error.options.headers };
    if (error.options.retryAfterSeconds !== undefined)
      headers['Retry-After'] = String(Math.max(1, Math.ceil(error.options.retryAfterSeconds)));
    return { body: error.toProblem(), headers };
  }

  private fromOther(exception: unknown): { body: ProblemDetails; headers: Record<string, string> } {
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      return {
        body: {
          type: PROBLEM_TYPE_PREFIX + (SLUG_BY_STATUS[status] ?? `http-${status}`),
          title: STATUS_CODES[status] ?? 'Error',
          status,
          detail: parseFailureDetail(exception) ?? DETAIL_BY_STATUS[status] ?? clientMessage(exception),
        },
        headers: {},
      };
    }
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    return {
      body: {
        type: PROBLEM_TYPE_PREFIX + (status === 500 ? 'internal-error' : `http-${status}`),
        title: STATUS_CODES[status] ?? 'Internal Server Error',
        status,
        detail: 'An unexpected error occurred. It has been logged.',
      },
      headers: {},
    };
  }
}

/** Body-parser and URL errors carry parser internals in their message; clients get a fixed sentence. */
function parseFailureDetail(exception: HttpException): string | undefined {
  if (exception.cause instanceof SyntaxError) {
    // body-parser's strict mode refuses valid JSON that is not an object or array (`null`, `42`, `"x"`) with a
    // SyntaxError too; it keeps the raw text as `body`.
    return isJson((exception.cause as { body?: unknown }).body)
      ? 'The request body must be a JSON object.'
      : 'The request body is not valid JSON.';
  }
  if (exception.cause instanceof URIError) return 'The request path is not validly encoded.';
  return undefined;
}

function isJson(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The message a 4xx HttpException was given by application code (a string or Nest's `{ message }`). */
function clientMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  if (typeof message === 'string') return message;
  return exception.message;
}

function describe(exception: unknown): string {
  if (exception instanceof Error) return `${exception.name}: ${exception.message}`;
  return `non-error thrown: ${String(exception)}`;
}
