import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parse } from 'yaml';
import { MANAGEMENT_METRIC } from '../../src/platform/management/management.constants';
import { METRIC } from '../../src/platform/observability/metrics.constants';

const ROOT = join(__dirname, '..', '..', 'charts', 'ballast', 'files');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

// Words in PromQL that look like metric names but are functions, keywords or aggregation modifiers.
const PROMQL_WORDS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'rate',
  'irate',
  'increase',
  'histogram_quantile',
  'max_over_time',
  'min_over_time',
  'avg_over_time',
  'label_values',
  'humanize',
  'humanizeDuration',
  'humanizePercentage',
  'bool',
  'offset',
  'vector',
]);
// Labels Prometheus adds to every target (ServiceMonitor) and the histogram bucket label.
const TARGET_LABELS = ['namespace', 'job', 'pod', 'instance', 'service', 'le'];
const SPEC_LABELS = ['method', 'route', 'status_code', 'reason', 'outcome', 'state', 'resource', 'upstream'];

async function knownMetricNames(): Promise<Set<string>> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = await registry.getMetricsAsJSON();
  const names = new Set<string>();
  const histograms = new Set<string>([METRIC.httpRequestDuration, METRIC.dbQueryDuration, METRIC.outboundRequestDuration]);
  for (const m of metrics) if (String(m.type) === 'histogram') histograms.add(m.name);
  for (const name of [...Object.values(METRIC), ...Object.values(MANAGEMENT_METRIC), ...metrics.map((m) => m.name)]) {
    names.add(name);
    if (histograms.has(name)) for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

/** Metric names an expression selects: identifiers outside strings, label matchers and grouping clauses. */
function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '$1')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\$\w+/g, '');
  return [...bare.matchAll(/\b[a-zA-Z_:][\w:]*\b/g)].map((m) => m[0]).filter((word) => !PROMQL_WORDS.has(word) && !/^\d/.test(word));
}

/** Label names an expression matches on or groups by. */
function labelNamesIn(expr: string): string[] {
  const stripped = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const inMatchers = [...stripped.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...(m[1] ?? '').matchAll(/(\w+)\s*[=!]/g)].map((l) => l[1]));
  const inGroupings = [...stripped.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap((m) =>
    (m[1] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  return [...inMatchers, ...inGroupings];
}

describe('monitoring assets shipped with the chart', () => {
  let known: Set<string>;
  const knownLabels = new Set([...TARGET_LABELS, ...SPEC_LABELS, 'kind', 'space', 'type', 'version']);
  beforeAll(async () => {
    known = await knownMetricNames();
  });

  describe('charts/ballast/files/prometheus-rules.yaml', () => {
    const doc = parse(readFileSync(join(ROOT, 'prometheus-rules.yaml'), 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> };
    const rules = doc.groups.flatMap((g) => g.rules);

    it('is a rules file with the expected groups', () => {
      expect(doc.groups.map((g) => g.name)).toEqual(['ballast.http', 'ballast.database', 'ballast.runtime']);
    });

    it('alerts on error rate, p99 latency, shedding, pool saturation and event-loop lag', () => {
      expect(rules.map((r) => r.alert)).toEqual(
        expect.arrayContaining([
          'BallastHighErrorRate',
          'BallastHighLatencyP99',
          'BallastLoadShedding',
          'BallastDatabasePoolSaturated',
          'BallastEventLoopLag',
        ]),
      );
    });

    it('gives every alert a duration, a severity and a summary and description', () => {
      for (const rule of rules) {
        expect({ alert: rule.alert, for: rule.for, severity: rule.labels?.['severity'] }).toEqual({
          alert: rule.alert,
          for: expect.stringMatching(/^\d+m$/),
          severity: expect.stringMatching(/^(critical|warning|info)$/),
        });
        expect(rule.annotations?.['summary']).toEqual(expect.any(String));
        expect(rule.annotations?.['description']).toEqual(expect.any(String));
      }
      expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
    });

    it('references only metrics and labels the service exposes', () => {
      for (const rule of rules) {
        expect({ alert: rule.alert, unknown: metricNamesIn(rule.expr).filter((name) => !known.has(name)) }).toEqual({
          alert: rule.alert,
          unknown: [],
        });
        expect({ alert: rule.alert, unknown: labelNamesIn(rule.expr).filter((l) => !knownLabels.has(l)) }).toEqual({
          alert: rule.alert,
          unknown: [],
        });
      }
    });
  });

  describe('charts/ballast/files/grafana-dashboard.json', () => {
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'grafana-dashboard.json'), 'utf8')) as {
      uid: string;
      title: string;
      templating: { list: Array<{ name: string }> };
      panels: Array<{ id: number; type: string; title: string; gridPos: object; targets?: Array<{ expr: string }> }>;
    };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

    it('is a dashboard with a stable uid, a data source and namespace/job variables', () => {
      expect(dashboard.uid).toBe('ballast-overview');
      expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'namespace', 'job']);
      expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
      for (const panel of dashboard.panels)
        expect(panel.gridPos).toEqual(expect.objectContaining({ h: expect.any(Number), w: expect.any(Number) }));
    });

    it('charts every SPEC metric', () => {
      const used = new Set(exprs.flatMap((e) => metricNamesIn(e.expr)));
      for (const name of Object.values(METRIC)) expect([...used].some((u) => u === name || u.startsWith(`${name}_`))).toBe(true);
    });

    it('charts the log level in effect and the diagnostics taken (the management metrics)', () => {
      const used = new Set(exprs.flatMap((e) => metricNamesIn(e.expr)));
      expect(Object.values(MANAGEMENT_METRIC).filter((name) => !used.has(name))).toEqual([]);
    });

    it('references only metrics and labels the service exposes, scoped to the selected namespace and job', () => {
      for (const { panel, expr } of exprs) {
        expect({ panel, unknown: metricNamesIn(expr).filter((name) => !known.has(name)) }).toEqual({ panel, unknown: [] });
        expect({ panel, unknown: labelNamesIn(expr).filter((l) => !knownLabels.has(l)) }).toEqual({ panel, unknown: [] });
        expect(expr).toContain('namespace="$namespace", job="$job"');
      }
    });
  });

  it('notices an unknown metric name (the check itself can fail)', () => {
    expect(metricNamesIn('sum by (route) (rate(http_request_total{job="x"}[5m]))').filter((n) => !known.has(n))).toEqual([
      'http_request_total',
    ]);
  });
});
