import { SpanStatusCode } from '@opentelemetry/api';

/** Marks `span` failed by `error` the semantic-convention way: `error.type` (the error's class) and status ERROR. */
export function recordSpanError(
  span: { setAttribute(key: string, value: string): unknown; setStatus(status: { code: SpanStatusCode }): unknown },
  error: unknown,
): void {
  span.setAttribute('error.type', error instanceof Error ? error.constructor.name : 'unknown');
  span.setStatus({ code: SpanStatusCode.ERROR });
}
