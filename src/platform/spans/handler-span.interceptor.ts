import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { context as otelContext, SpanStatusCode, trace } from '@opentelemetry/api';
import { Observable } from 'rxjs';

/** Instrumentation scope of the spans Ballast makes itself. */
export const BALLAST_TRACER = 'ballast';

/**
 * A span per Nest handler call, named `Controller.method`, child of the SERVER span, parent of the queries
 * and outbound calls the handler makes. Ballast makes it itself: the upstream Nest instrumentation does not
 * cover Nest 12. Registered (APP_INTERCEPTOR) only when tracing runs. A thrown error marks the span with
 * its class name only (`error.type`): messages can carry user input.
 */
@Injectable()
export class HandlerSpanInterceptor implements NestInterceptor {
  private readonly tracer = trace.getTracer(BALLAST_TRACER);

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (execution.getType() !== 'http') return next.handle();
    const name = `${execution.getClass().name}.${execution.getHandler().name}`;
    return new Observable((subscriber) => {
      const span = this.tracer.startSpan(name, { attributes: { 'code.function.name': name } });
      const active = trace.setSpan(otelContext.active(), span);
      // The handler runs when its observable is subscribed to: subscribe inside the span's context.
      const subscription = otelContext.with(active, () =>
        next.handle().subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => {
            span.setAttribute('error.type', error instanceof Error ? error.constructor.name : 'unknown');
            span.setStatus({ code: SpanStatusCode.ERROR });
            span.end();
            subscriber.error(error);
          },
          complete: () => {
            span.end();
            subscriber.complete();
          },
        }),
      );
      return () => {
        subscription.unsubscribe();
        if (span.isRecording()) span.end();
      };
    });
  }
}
