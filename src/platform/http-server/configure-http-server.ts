import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../../config/app-config';
import { setupOpenApi } from '../openapi/setup-openapi';
import { enterRequestContext } from '../request-context/request-context';
import { jsonContentTypeMiddleware } from './json-content-type.middleware';

/**
 * Installs the edge of the HTTP pipeline, before Nest's own, in this order:
 *   1. observability  — request id, timing, HTTP metrics recorded when the response finishes
 *   2. lifecycle      — `Connection: close` on every response once shutdown began
 *   3. resilience     — admission control (in-flight cap; 503 at once beyond it), deadline
 *   4. content type   — 415 for a non-JSON body, before anything parses it
 *   5. JSON body parser with BODY_LIMIT_BYTES
 *   6. the async request context, entered after parsing (stream callbacks would lose it)
 * Every edge handler is a plain Node `(req, res, next)` function: no Express API, so the edge moves to
 * another adapter unchanged. Called by `main.ts` and the test bootstrap alike (create the app with
 * `bodyParser: false`).
 */
export function configureHttpServer(app: NestExpressApplication): void {
  const config = app.get(ConfigService<AllConfig, true>);
  const { bodyLimitBytes } = config.get('resilience', { infer: true });
  app.disable('x-powered-by');
  app.use(jsonContentTypeMiddleware);
  app.useBodyParser('json', { limit: bodyLimitBytes, type: ['application/json', 'application/*+json'] });
  app.use(enterRequestContext);
  setupOpenApi(app);
}
