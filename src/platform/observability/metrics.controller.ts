import { Controller, Get, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Metric, type OpenMetricsContentType, register, Registry } from 'prom-client';

/** prom-client's metric objects, of which OpenMetrics rendering renames counters in place. */
type NamedMetric = Metric & { name: string };

/**
 * `GET /metrics`: Prometheus text by default; OpenMetrics — with the HTTP histogram's exemplars (trace ids,
 * tracing on) — when the scraper's Accept header asks for `application/openmetrics-text` (Prometheus does
 * once exemplar storage is enabled). prom-client renders one format per registry and, for OpenMetrics,
 * strips `_total` from counter names in place, so OpenMetrics is rendered from a registry holding the same
 * metric objects, the names are put back afterwards, and scrapes run one at a time (they are rare).
 */
@Controller()
export class MetricsController {
  private last: Promise<unknown> = Promise.resolve();

  @Get()
  async index(@Req() req: IncomingMessage, @Res({ passthrough: true }) res: ServerResponse): Promise<string> {
    const openMetrics = /application\/openmetrics-text/i.test(req.headers.accept ?? '');
    const run = this.last.then(() => (openMetrics ? renderOpenMetrics() : register.metrics()));
    this.last = run.catch(() => undefined);
    const body = await run;
    res.setHeader('Content-Type', openMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : register.contentType);
    return body;
  }
}

async function renderOpenMetrics(): Promise<string> {
  const metrics = register.getMetricsAsArray() as unknown as NamedMetric[];
  const names = metrics.map((metric) => metric.name);
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  for (const metric of metrics) registry.registerMetric(metric);
  try {
    return await registry.metrics();
  } finally {
    metrics.forEach((metric, i) => (metric.name = names[i]!));
  }
}
