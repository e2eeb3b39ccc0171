import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../../config/app-config';
import { jsonContentTypeMiddleware } from './json-content-type.middleware';

/**
 * Installs the edge of the HTTP pipeline, in order, before Nest's own: content-type check, then the JSON
 * body parser with the body limit. Called by `main.ts` and the test bootstrap alike (create the app with
 * `bodyParser: false`).
 */
export function configureHttpServer(app: NestExpressApplication): void {
  const config = app.get(ConfigService<AllConfig, true>);
  const { bodyLimitBytes } = config.get('resilience', { infer: true });
  app.disable('x-powered-by');
  app.use(jsonContentTypeMiddleware);
  app.useBodyParser('json', { limit: bodyLimitBytes, type: ['application/json', 'application/*+json'] });
}
