import type { INestApplication } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigService } from '@nestjs/config';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AllConfig } from '../../config/app-config';
import { OPENAPI_FEATURE_TAGS, type OpenApiTag } from './openapi-tags';
import { OPENAPI_TAGS, describePlatformPaths, withoutManagementPaths } from './platform-paths';
import { addPlatformResponses } from './problem-responses';

/**
 * Swagger UI is the one HTML page: it loads its own scripts, styles, images and /docs-json, which the API's
 * `default-src 'none'` policy would block (a blank page). Still nothing from elsewhere, still never framed.
 */
export const SWAGGER_UI_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

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
  app.use(`/${OPENAPI_PATHS.ui}`, (_req: IncomingMessage, res: ServerResponse, next: () => void) => {
    res.setHeader('Content-Security-Policy', SWAGGER_UI_CSP);
    next();
  });
  const options = new DocumentBuilder()
    .setTitle('Ballast API')
    .setDescription('Errors are application/problem+json (RFC 9457). Every /api operation can also answer 429, 503 and 504.')
    .setVersion(version);
  for (const tag of [...OPENAPI_TAGS, ...featureTags(app)]) options.addTag(tag.name, tag.description);
  const managementPort = config.get('management.port', { infer: true }) !== undefined;
  const build = () => {
    const document = describePlatformPaths(addPlatformResponses(SwaggerModule.createDocument(app, options.build())));
    return managementPort ? withoutManagementPaths(document) : document;
  };
  SwaggerModule.setup(OPENAPI_PATHS.ui, app, build, {
    jsonDocumentUrl: OPENAPI_PATHS.json,
    raw: ['json'],
  });
}

/** The features' tags from the composition root; none in an app composed without it (test fixtures). */
function featureTags(app: INestApplication): OpenApiTag[] {
  try {
    return app.get<OpenApiTag[]>(OPENAPI_FEATURE_TAGS, { strict: false });
  } catch {
    return [];
  }
}
