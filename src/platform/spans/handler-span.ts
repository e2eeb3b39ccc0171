import { SpanStatusCode, trace } from '@opentelemetry/api';
import { recordSpanError } from './span-error';
import { BALLAST_TRACER } from './tracing.constants';

const WRAPPED = Symbol('ballast:handler-span');

type Handler = ((...args: unknown[]) => unknown) & { [WRAPPED]?: true };

/**
 * `handler` wrapped so that, inside a sampled request (a recording span is active), each call runs in a span named
 * `name` (`Controller.method`), child of the SERVER span and parent of the handler's queries and outbound calls. An
 * unsampled request calls the handler straight through: one active-span read. Nest metadata on the function (route,
 * guards, interceptors, OpenAPI) is copied, so the wrapper stands in for the handler everywhere. A thrown error
 * marks the span with its class name only (`error.type`): messages can carry user input.
 */
export function withHandlerSpan(handler: Handler, name: string): Handler {
  if (handler[WRAPPED]) return handler;
  const tracer = trace.getTracer(BALLAST_TRACER);
  const attributes = { 'code.function.name': name };
  const wrapped: Handler = function (this: unknown, ...args: unknown[]): unknown {
    if (trace.getActiveSpan()?.isRecording() !== true) return handler.apply(this, args);
    return tracer.startActiveSpan(name, { attributes }, (span) => {
      let result: unknown;
      try {
        result = handler.apply(this, args);
      } catch (error) {
        endWith(span, error);
        throw error;
      }
      if (!isThenable(result)) {
        span.end();
        return result;
      }
      return result.then(
        (value) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          endWith(span, error);
          throw error;
        },
      );
    });
  };
  for (const key of Reflect.getMetadataKeys(handler) as unknown[]) Reflect.defineMetadata(key, Reflect.getMetadata(key, handler), wrapped);
  Object.defineProperty(wrapped, 'name', { value: handler.name });
  wrapped[WRAPPED] = true;
  return wrapped;
}

function endWith(
  span: { setAttribute: (k: string, v: string) => unknown; setStatus: (s: { code: SpanStatusCode }) => unknown; end: () => void },
  error: unknown,
): void {
  recordSpanError(span, error);
  span.end();
}

function isThenable(value: unknown): value is Promise<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
