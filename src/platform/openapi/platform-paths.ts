import type { OpenAPIObject } from '@nestjs/swagger';

/** Tags of the document, in one case style; every operation carries one of them. */
export const OPENAPI_TAGS = [
  { name: 'health', description: 'Liveness and readiness probes (never rate limited or shed).' },
  { name: 'metrics', description: 'Prometheus metrics (never rate limited or shed).' },
] as const;

const SERVER_ERROR = {
  description: 'Unexpected error; the detail is only in the log.',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
};

/**
 * Documents the platform's own paths the way the features' are: `/metrics` is served by
 * @willsoto/nestjs-prometheus' controller, which carries no OpenAPI decorators, so its operation is described
 * here; `/health/*` and `/metrics` get their lower-case tag (terminus and the Prometheus controller bring
 * `Health` / `Prometheus`) and the 500 the global filter can answer.
 */
export function describePlatformPaths(document: OpenAPIObject): OpenAPIObject {
  // Relative: the document describes whichever host serves it. `x-internal` (OWASP API9): the API is the service's
  // public interface.
  document.servers = [
    {
      url: '/',
      description: 'This deployment (local, staging or production): the host serving this document.',
      'x-internal': false,
    } as never,
  ];
  const metrics = document.paths['/metrics']?.get;
  if (metrics) {
    Object.assign(metrics, {
      operationId: 'getMetrics',
      summary: 'Prometheus metrics',
      description: 'The SPEC metrics and prom-client default metrics, in the Prometheus text exposition format.',
      tags: ['metrics'],
      responses: {
        '200': {
          description: 'Prometheus text exposition format 0.0.4.',
          content: { 'text/plain': { schema: { type: 'string', maxLength: 10485760 } } },
        },
        '500': SERVER_ERROR,
      },
    });
  }
  // A feature's tag (e.g. a generated one) is listed even without a description of its own.
  const listed = new Set((document.tags ?? []).map((tag) => tag.name));
  for (const operation of Object.values(document.paths).flatMap((item) => Object.values(item) as Array<{ tags?: string[] }>)) {
    for (const tag of operation.tags ?? []) {
      if (listed.has(tag) || ['Health', 'Prometheus'].includes(tag)) continue;
      listed.add(tag);
      document.tags = [...(document.tags ?? []), { name: tag }];
    }
  }
  for (const path of ['/health/live', '/health/ready']) {
    const operation = document.paths[path]?.get;
    if (!operation) continue;
    operation.tags = ['health'];
    operation.responses = { ...operation.responses, '500': SERVER_ERROR };
  }
  return document;
}

/** The paths the management listener takes over when MANAGEMENT_PORT is set. */
const MANAGEMENT_PATHS = ['/health/live', '/health/ready', '/metrics'];

/**
 * The document without the paths the main port no longer serves once MANAGEMENT_PORT is set (they answer 404
 * there; docs/operations.md describes the management port), and without their now empty tags.
 */
export function withoutManagementPaths(document: OpenAPIObject): OpenAPIObject {
  for (const path of MANAGEMENT_PATHS) delete document.paths[path];
  document.tags = (document.tags ?? []).filter((tag) => tag.name !== 'health' && tag.name !== 'metrics');
  return document;
}
