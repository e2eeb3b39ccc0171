import { trace } from '@opentelemetry/api';
import { TRACING_ATTRIBUTE } from './tracing.constants';
import { type ServerSpanFinisher, tracingRuntime } from './tracing-runtime';

/**
 * Runs `finisher` on every SERVER span just before it ends (the response is done, the route is known).
 * Returns the function that removes it. Does nothing with tracing off.
 */
export function onServerSpanEnd(finisher: ServerSpanFinisher): () => void {
  const finishers = tracingRuntime()?.serverSpanFinishers;
  if (!finishers) return noop;
  finishers.push(finisher);
  return () => {
    const index = finishers.indexOf(finisher);
    if (index !== -1) finishers.splice(index, 1);
  };
}

/**
 * Records on the active span (the SERVER span at the edge) why the request is being refused: the problem
 * slug of the 503/429/413/415/504 it gets. A no-op with tracing off (no active span).
 */
export function markRefusal(reason: string): void {
  trace.getActiveSpan()?.setAttribute(TRACING_ATTRIBUTE.refusalReason, reason);
}

function noop(): void {}
