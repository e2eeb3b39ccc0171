import { type Metric, type OpenMetricsContentType, register, Registry } from 'prom-client';

/** prom-client's metric objects, of which OpenMetrics rendering renames counters in place. */
type NamedMetric = Metric & { name: string };

/** A rendered scrape: the body and its content type. */
export interface RenderedMetrics {
  contentType: string;
  body: string;
}

/** Scrapes run one after another: OpenMetrics rendering renames metrics in place (below). Process-wide, as the registry is. */
let last: Promise<unknown> = Promise.resolve();

/**
 * The `/metrics` body, wherever it is served (the main port's controller or the management listener):
 * Prometheus text by default; OpenMetrics — with the HTTP histogram's exemplars (trace ids, tracing on) — when
 * the scraper's Accept header asks for `application/openmetrics-text` (Prometheus does once exemplar storage is
 * enabled). prom-client renders one format per registry and, for OpenMetrics, strips `_total` from counter
 * names in place, so OpenMetrics is rendered from a registry holding the same metric objects, the names are
 * put back afterwards, and scrapes run one at a time (they are rare).
 */
export async function renderMetrics(accept: string | undefined): Promise<RenderedMetrics> {
  const openMetrics = /application\/openmetrics-text/i.test(accept ?? '');
  const run = last.then(() => (openMetrics ? renderOpenMetrics() : register.metrics()));
  last = run.catch(() => undefined);
  const body = await run;
  return { contentType: openMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : register.contentType, body };
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
