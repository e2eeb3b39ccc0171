import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigService } from '@nestjs/config';
import { Logger } from 'nestjs-pino';
import type { AllConfig } from '../../config/app-config';
import { setupOpenApi } from '../openapi/setup-openapi';
import { HttpDrain } from '../lifecycle/http-drain.service';
import { parseTrustProxy } from '../../config/trust-proxy';
import { FrameworkLogFilter } from '../observability/framework-log-filter';
import { HttpTelemetryMiddleware } from '../observability/http-telemetry.middleware';
import { enterRequestContext } from '../request-context/request-context';
import { corsOptions } from '../security/cors';
import { securityHeadersOptions } from '../security/security-headers';
import { AdmissionControlMiddleware } from '../resilience/admission-control.middleware';
import { RequestDeadlineMiddleware } from '../resilience/request-deadline.middleware';
import { jsonContentTypeMiddleware } from './json-content-type.middleware';
import { nestSecurityHook } from './nest-security-hook';
import { applyServerLimits } from './server-limits';
import { bodyThen, type EdgeHandler, edgeChain } from './edge-chain';
import bodyParser from 'body-parser';
import { weakEtag } from './weak-etag';

/**
 * Applies the Node server limits (timeouts, header size, connection cap), then installs the edge of the
 * HTTP pipeline, before Nest's own, in this order:
 *   a. admission control — in front of the whole application (before Express): a request beyond
 *      HTTP_CONCURRENCY_LIMIT gets its 503 at once, with what the slots below would have given it (security
 *      headers, request id and metrics, `Connection: close` during a drain) and nothing else. With CORS on
 *      (CORS_ORIGINS) it stays in slot 3 instead, so that the CORS middleware also answers for refusals.
 *   0. security headers — first, so that every response carries them, the edge's own rejections included
 *   1. observability  — request id, timing, HTTP metrics recorded when the response finishes
 *   2. lifecycle      — `Connection: close` on every response once shutdown began
 *   2a. CORS          — (only with CORS_ORIGINS) before any rejection, so a browser script can read a 503's
 *                       status and Retry-After; preflights end here, after lifecycle has marked them
 *   3. resilience     — (admission control, with CORS on), deadline
 *   4. content type   — 415 for a non-JSON body, before anything parses it
 *   5. JSON body parser with BODY_LIMIT_BYTES
 *   6. the async request context, entered after parsing (stream callbacks would lose it)
 * Every edge handler is a plain Node `(req, res, next)` function: no Express API, so the edge moves to
 * another adapter unchanged. The slots are registered as one Express middleware (two with CORS, which Nest
 * registers itself), composed by edgeChain; the body parser runs only for requests that carry a body. Called by
 * `bootstrap.ts` and the test bootstrap alike (create the app with `bodyParser: false`).
 */
export function configureHttpServer(app: NestExpressApplication): void {
  const config = app.get(ConfigService<AllConfig, true>);
  const { bodyLimitBytes } = config.get('resilience', { infer: true });
  const server = app.getHttpServer();
  applyServerLimits(server, config.get('httpServer', { infer: true }));
  // Nest's logs and every `new Logger(...)` go through pino from here on (bootstrap.ts buffers them until now);
  // Nest's own module and route lines at debug.
  app.useLogger(new FrameworkLogFilter(app.get(Logger)));
  const security = config.get('security', { infer: true });
  app.useSecurityHeaders(securityHeadersOptions(security));
  app.disable('x-powered-by');
  // The same weak ETags as Express's default, computed without a Hash object per response (weak-etag.ts).
  app.set('etag', weakEtag);
  // Which proxies may name the client in X-Forwarded-For (req.ip, the rate-limit key); unset: none.
  app.set('trust proxy', parseTrustProxy(config.get('rateLimit.trustProxy', { infer: true })));
  const telemetry = app.get(HttpTelemetryMiddleware);
  const httpDrain = app.get(HttpDrain);
  httpDrain.attach(server);
  const admission = app.get(AdmissionControlMiddleware);
  const cors = corsOptions(security);
  // Nest's private security hook (nest-security-hook.ts, which warns when it is gone); a test holds a refusal's
  // headers equal to a served response's. Without it admission stays in the pipeline.
  const securityHook = cors ? undefined : nestSecurityHook(app);
  if (securityHook) {
    admission.installInFront(server, (req, res) => {
      securityHook.handle(req, res);
      telemetry.handle(req, res, noop);
      httpDrain.markIfClosing(res);
    });
  }
  // The slots run as one Express middleware each side of CORS (edge-chain.ts): same order, fewer router layers.
  const beforeCors: EdgeHandler[] = [telemetry.handle, httpDrain.handle];
  const afterCors: EdgeHandler[] = securityHook ? [] : [admission.handle];
  const json = bodyParser.json({ limit: bodyLimitBytes, type: ['application/json', 'application/*+json'] }) as EdgeHandler;
  afterCors.push(app.get(RequestDeadlineMiddleware).handle, jsonContentTypeMiddleware, bodyThen(json, enterRequestContext));
  if (cors) {
    app.use(edgeChain(beforeCors));
    app.enableCors(cors);
    app.use(edgeChain(afterCors));
  } else {
    app.use(edgeChain([...beforeCors, ...afterCors]));
  }
  setupOpenApi(app);
}

function noop(): void {}
