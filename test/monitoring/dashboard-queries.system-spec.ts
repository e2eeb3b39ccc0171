import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { findPromtool, runPromtool } from './promtool';

const DASHBOARD = join(__dirname, '..', '..', 'charts', 'ballast', 'files', 'grafana-dashboard.json');

interface Panel {
  id: number;
  title: string;
  targets?: Array<{ refId: string; expr: string; legendFormat?: string }>;
}

/** Grafana's variables, replaced by what Grafana would send for one namespace/job. */
function asPromql(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '5m')
    .replaceAll('$__interval', '1m')
    .replaceAll('$__range', '1h')
    .replaceAll('$namespace', 'apps')
    .replaceAll('$job', 'prod-ballast');
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
const queries = dashboard.panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ panel, target, promql: asPromql(target.expr) })),
);

describe("the dashboard's queries, parsed and evaluated by a real Prometheus (promtool)", () => {
  let promtool: string;
  let dir: string;

  beforeAll(() => {
    promtool = findPromtool();
    dir = mkdtempSync(join(tmpdir(), 'ballast-dashboard-'));
    // promtool has no "parse this query" command; a recording rule per panel query has Prometheus parse each one.
    const rules = {
      groups: [
        {
          name: 'ballast.dashboard',
          rules: queries.map(({ panel, target, promql }) => ({ record: `dashboard:panel_${panel.id}_${target.refId}`, expr: promql })),
        },
      ],
    };
    writeFileSync(join(dir, 'dashboard-rules.yaml'), stringify(rules));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has no Grafana variable left that Prometheus would not understand', () => {
    expect(queries.filter(({ promql }) => promql.includes('$')).map(({ panel }) => panel.title)).toEqual([]);
  });

  it('parses every panel query (`promtool check rules` on one recording rule per query)', () => {
    const result = runPromtool(promtool, ['check', 'rules', 'dashboard-rules.yaml'], dir);
    expect(result).toEqual({ status: 0, output: expect.stringContaining(`SUCCESS: ${queries.length} rules found`) });
    process.stdout.write(`[promtool] ${queries.length} dashboard queries of ${dashboard.panels.length} panels parsed\n`);
  });

  it('shows an error ratio of 0, not "No data", on a healthy service, and the share once 5xx appear', () => {
    const ratio = dashboard.panels.find((panel) => panel.title === 'Error ratio')!;
    const fiveXx = asPromql(ratio.targets!.find((t) => t.legendFormat === '5xx')!.expr);
    const fourXx = asPromql(ratio.targets!.find((t) => t.legendFormat === '4xx')!.expr);
    const series = (status: string, perMinute: number, name = 'http_requests_total') => ({
      series: `${name}{namespace="apps", job="prod-ballast", pod="prod-ballast-0", method="GET", route="/api/v1/users", status_code="${status}"}`,
      values: `0+${perMinute}x20`,
    });
    const tests = {
      rule_files: ['dashboard-rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          name: 'healthy: 200s and 4xx, no 5xx series at all',
          interval: '1m',
          input_series: [series('200', 600), series('404', 60)],
          promql_expr_test: [
            { expr: fiveXx, eval_time: '10m', exp_samples: [{ labels: '{}', value: 0 }] },
            { expr: fourXx, eval_time: '10m', exp_samples: [{ labels: '{}', value: 60 / 660 }] },
          ],
        },
        {
          name: 'failing: 5xx among the answers',
          interval: '1m',
          input_series: [series('200', 540), series('503', 60)],
          promql_expr_test: [{ expr: fiveXx, eval_time: '10m', exp_samples: [{ labels: '{}', value: 0.1 }] }],
        },
      ],
    };
    writeFileSync(join(dir, 'dashboard.test.yaml'), stringify(tests));
    const result = runPromtool(promtool, ['test', 'rules', 'dashboard.test.yaml'], dir);
    expect(result).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });
});
