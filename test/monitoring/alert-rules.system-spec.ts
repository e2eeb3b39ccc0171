import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ALL_FEATURES_VALUES, findObject, renderChart } from '../chart/utils/helm';
import { ensureHelm } from '../chart/utils/helm-binary';
import { findPromtool, runPromtool } from './promtool';

const TEST_FILE = join(__dirname, 'prometheus-rules.test.yaml');
const SOURCE_RULES = join(__dirname, '..', '..', 'charts', 'ballast', 'files', 'prometheus-rules.yaml');

interface RuleGroups {
  groups: Array<{ name: string; rules: Array<{ alert: string }> }>;
}
interface RuleTests {
  rule_files: string[];
  tests: Array<{ name: string; alert_rule_test: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
}

describe("the chart's alert rules, evaluated by a real Prometheus (promtool)", () => {
  let promtool: string;
  let dir: string;
  let rendered: RuleGroups;

  beforeAll(async () => {
    promtool = findPromtool();
    const helm = await ensureHelm();
    // The rules exactly as the chart ships them: the spec of the rendered PrometheusRule.
    const objects = renderChart(helm, { files: [ALL_FEATURES_VALUES] });
    rendered = findObject<{ spec: RuleGroups }>(objects, 'PrometheusRule').spec;
    dir = mkdtempSync(join(tmpdir(), 'ballast-promtool-'));
    writeFileSync(join(dir, 'prometheus-rules.yaml'), stringify(rendered));
    copyFileSync(TEST_FILE, join(dir, 'prometheus-rules.test.yaml'));
  }, 300_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('renders the rules file unchanged into the PrometheusRule', () => {
    expect(rendered).toEqual(parse(readFileSync(SOURCE_RULES, 'utf8')));
  });

  it('passes `promtool check rules`', () => {
    const result = runPromtool(promtool, ['check', 'rules', 'prometheus-rules.yaml'], dir);
    expect(result).toEqual({ status: 0, output: expect.stringMatching(/SUCCESS: \d+ rules found/) });
  });

  it('passes `promtool test rules`: each alert fires on its fault and stays silent on normal traffic with 4xx and duplicate emails', () => {
    const result = runPromtool(promtool, ['test', 'rules', 'prometheus-rules.test.yaml'], dir);
    expect(result).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('tests every alert: silent in the normal-traffic group, firing in a fault group of its own', () => {
    const tests = parse(readFileSync(TEST_FILE, 'utf8')) as RuleTests;
    const alerts = rendered.groups.flatMap((group) => group.rules.map((rule) => rule.alert));
    const normal = tests.tests[0];
    expect(normal.name).toMatch(/^normal traffic/);
    const silent = normal.alert_rule_test.filter((t) => (t.exp_alerts ?? []).length === 0).map((t) => t.alertname);
    const firing = tests.tests.flatMap((t) => t.alert_rule_test.filter((a) => (a.exp_alerts ?? []).length > 0).map((a) => a.alertname));
    expect({
      untestedSilent: alerts.filter((a) => !silent.includes(a)),
      untestedFiring: alerts.filter((a) => !firing.includes(a)),
    }).toEqual({ untestedSilent: [], untestedFiring: [] });
    process.stdout.write(
      `[promtool] ${tests.tests.length} test groups, ${tests.tests.reduce((n, t) => n + t.alert_rule_test.length, 0)} alert checks, ${alerts.length} alerts\n`,
    );
  });

  it('fails on a rule that never fires on its fault (the check itself can fail)', () => {
    const broken = structuredClone(rendered);
    for (const group of broken.groups)
      for (const rule of group.rules as Array<{ alert: string; expr: string }>)
        if (rule.alert === 'BallastEventLoopLag') rule.expr = 'vector(0) > 1';
    writeFileSync(join(dir, 'prometheus-rules.yaml'), stringify(broken));
    try {
      const result = runPromtool(promtool, ['test', 'rules', 'prometheus-rules.test.yaml'], dir);
      expect(result.status).not.toBe(0);
      expect(result.output).toContain('alertname: BallastEventLoopLag');
    } finally {
      writeFileSync(join(dir, 'prometheus-rules.yaml'), stringify(rendered));
    }
  });
});
