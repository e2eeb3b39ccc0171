import type { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AllConfig } from '../../config/app-config';
import { addPlatformResponses } from './problem-responses';

/** Where the docs are served. */
export const OPENAPI_PATHS = { ui: 'docs', json: 'docs-json' } as const;

/**
 * Serves the OpenAPI document at `/docs-json` and Swagger UI at `/docs` when enabled (DOCS_ENABLED; by
 * default outside production only). The document is built once at start from the controllers' decorators.
 */
export function setupOpenApi(app: INestApplication): void {
  const config = app.get(ConfigService<AllConfig, true>);
  const { enabled } = config.get('docs', { infer: true });
  if (!enabled) return;
  const { version } = config.get('app', { infer: true });
  const options = new DocumentBuilder()
    .setTitle('Ballast API')
    .setDescription('Errors are application/problem+json (RFC 9457). Every /api operation can also answer 429, 503 and 504.')
    .setVersion(version)
    .build();
  SwaggerModule.setup(OPENAPI_PATHS.ui, app, () => addPlatformResponses(SwaggerModule.createDocument(app, options)), {
    jsonDocumentUrl: OPENAPI_PATHS.json,
    raw: ['json'],
  });
}
