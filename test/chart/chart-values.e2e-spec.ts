import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envVariables, loadConfig } from '../../src/config/load-config';
import { FEATURES } from '../../src/features';
import { collectFeatures } from '../../src/platform/composition';
import { CHART_DIR, DEFAULT_VALUES, findObject, helmTemplate, NAMESPACE, RELEASE, renderChart, runHelm } from './utils/helm';
import { ensureHelm } from './utils/helm-binary';

const FETCH_TIMEOUT_MS = 300_000;

let helm: string;

interface ConfigSchema {
  properties: { config: { properties: Record<string, { description?: string }> } };
}

/** A value for each variable whose default is "unset" (or a list): the rest use the app's own default. */
const SAMPLES: Record<string, string | number> = {
  CORS_ORIGINS: 'https://app.example.com',
  SHED_MAX_EVENT_LOOP_DELAY_MS: 200,
  SHED_MAX_EVENT_LOOP_UTILIZATION: 0.95,
  SHED_MAX_HEAP_USED_PERCENT: 90,
  PROFILE_SERVICE_URL: 'http://profiles:8080',
  AUTH_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json',
  AUTH_ISSUER: 'https://idp.example.com/',
  AUTH_AUDIENCE: 'ballast',
};

/** The chart value used for `name`: its sample, else the app's default (a number, boolean or string). */
function sampleValue(name: string): string | number | boolean {
  if (name in SAMPLES) return SAMPLES[name];
  const schema = envVariables(collectFeatures(FEATURES).configFragments)[name];
  const fallback: unknown = schema.parse(undefined);
  if (typeof fallback === 'string' || typeof fallback === 'number' || typeof fallback === 'boolean') return fallback;
  throw new Error(`${name} has no plain default: add a sample value for it to SAMPLES`);
}

beforeAll(async () => {
  helm = await ensureHelm();
}, FETCH_TIMEOUT_MS);

/** Renders the defaults (plus the required database) with `values` on top; returns Helm's error output. */
function refusal(values: Record<string, unknown>, files: readonly string[] = [DEFAULT_VALUES]): string {
  const result = helmTemplate(helm, { files, values });
  expect(result.status).not.toBe(0);
  expect(result.stdout).toBe('');
  return result.stderr;
}

describe('charts/ballast values', () => {
  describe('refused by values.schema.json', () => {
    it.each<[string, Record<string, unknown>, RegExp]>([
      ['replicaCount "three"', { replicaCount: 'three' }, /\/replicaCount': got string, want integer/],
      ['replicaCount 0', { replicaCount: 0 }, /\/replicaCount': minimum/],
      ['an unknown top-level key', { replicas: 3 }, /additional properties 'replicas' not allowed/],
      ['an unknown nested key (a typo)', { image: { tagg: 'v1' } }, /\/image': additional properties 'tagg' not allowed/],
      ['an unknown shutdown timing', { shutdown: { delaySeconds: 5 } }, /\/shutdown': additional properties 'delaySeconds' not allowed/],
      ['a negative shutdown delay', { shutdown: { delayMs: -1 } }, /\/shutdown\/delayMs': minimum/],
      [
        'a grace period given as a string',
        { terminationGracePeriodSeconds: '45s' },
        /\/terminationGracePeriodSeconds': got string, want integer/,
      ],
      [
        'an unknown config key (a typo), by name',
        { config: { DB_POOL_MAXX: 5 } },
        /at '\/config': additional properties 'DB_POOL_MAXX' not allowed/,
      ],
      ['a negative TRUST_PROXY hop count', { config: { TRUST_PROXY: -1 } }, /\/config\/TRUST_PROXY': minimum/],
      ['an unknown LOG_LEVEL', { config: { LOG_LEVEL: 'verbose' } }, /\/config\/LOG_LEVEL': value must be one of/],
      ['DB_POOL_MAX 0', { config: { DB_POOL_MAX: 0 } }, /\/config\/DB_POOL_MAX': minimum/],
      [
        'a lower-case environment variable name',
        { config: { log_level: 'info' } },
        /at '\/config': additional properties 'log_level' not allowed/,
      ],
      ['a nested object as an environment value', { config: { LOG_LEVEL: { a: 1 } } }, /\/config\/LOG_LEVEL': got object/],
      ['a database URL that is not postgres', { database: { url: 'mysql://db/app' } }, /\/database\/url': '.*' does not match pattern/],
      [
        'a memory limit that is not a quantity',
        { resources: { limits: { memory: 'lots' } } },
        /\/resources\/limits\/memory': 'lots' does not match pattern/,
      ],
      ['a heap share above 95%', { nodeOptions: { maxOldSpacePercent: 100 } }, /\/nodeOptions\/maxOldSpacePercent': maximum/],
      [
        'a liveness successThreshold other than 1',
        { livenessProbe: { successThreshold: 2 } },
        /\/livenessProbe\/successThreshold': value must be 1/,
      ],
      ['an unknown pull policy', { image: { pullPolicy: 'Sometimes' } }, /\/image\/pullPolicy': value must be one of/],
      ['an unknown Service type', { service: { type: 'Ingress' } }, /\/service\/type': value must be one of/],
      ['a rollout surge that is neither a number nor a percentage', { rollingUpdate: { maxSurge: 'one' } }, /\/rollingUpdate\/maxSurge'/],
    ])('refuses %s', (_name, values, message) => {
      expect(refusal(values)).toMatch(message);
    });
  });

  describe('refused by validateValues (inconsistent values)', () => {
    it.each<[string, Record<string, unknown>, RegExp]>([
      [
        'a grace period shorter than delay + drain + margin',
        { terminationGracePeriodSeconds: 30 },
        /terminationGracePeriodSeconds \(30\) is shorter than shutdown.delayMs \(5000 ms\) \+ shutdown.drainTimeoutMs \(30000 ms\) \+ shutdown.marginSeconds \(25 s\).*>= 60/,
      ],
      ['a drain longer than the grace period allows', { shutdown: { drainTimeoutMs: 60_000 } }, /Set terminationGracePeriodSeconds >= 90/],
      ['PORT in config (it follows containerPort)', { config: { PORT: 8080 } }, /config.PORT is set by the chart/],
      [
        'SHUTDOWN_DELAY_MS in config (it follows shutdown.delayMs)',
        { config: { SHUTDOWN_DELAY_MS: 0 } },
        /config.SHUTDOWN_DELAY_MS is set by the chart/,
      ],
      [
        'DB_RUN_MIGRATIONS in config (it follows migrations.enabled)',
        { config: { DB_RUN_MIGRATIONS: true } },
        /config.DB_RUN_MIGRATIONS is set by the chart/,
      ],
      [
        'DATABASE_URL in config (it belongs in a Secret)',
        { config: { DATABASE_URL: 'postgres://u:p@db/app' } },
        /config.DATABASE_URL is set by the chart/,
      ],
      [
        'TRUST_PROXY "true", saying why',
        { config: { TRUST_PROXY: 'true' } },
        /config.TRUST_PROXY=true trusts any client's X-Forwarded-For: every client could claim any IP address/,
      ],
      [
        'TRUST_PROXY true as a YAML boolean (what --set gives)',
        { config: { TRUST_PROXY: true } },
        /config.TRUST_PROXY=true trusts any client's X-Forwarded-For/,
      ],
      ['a rollout that can never progress', { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }, /cannot both be 0/],
      [
        'autoscaling with minReplicas above maxReplicas',
        { autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 2 } },
        /minReplicas \(5\) is larger than autoscaling.maxReplicas \(2\)/,
      ],
      [
        'a PodDisruptionBudget with both minAvailable and maxUnavailable',
        { podDisruptionBudget: { minAvailable: 2 } },
        /set exactly one of minAvailable and maxUnavailable/,
      ],
    ])('refuses %s', (_name, values, message) => {
      expect(refusal(values)).toMatch(message);
    });

    it('refuses to render without a DATABASE_URL source, since the app would not start', () => {
      expect(refusal({}, [])).toMatch(/database.url or database.existingSecret is required/);
    });

    it('lists every problem at once', () => {
      const stderr = refusal({ terminationGracePeriodSeconds: 10, config: { PORT: 1 } }, []);
      expect(stderr).toMatch(/terminationGracePeriodSeconds \(10\)/);
      expect(stderr).toMatch(/config.PORT/);
      expect(stderr).toMatch(/database.url or database.existingSecret/);
    });
  });

  describe('accepted', () => {
    it('renders a grace period exactly equal to delay + drain + margin', () => {
      expect(() => renderChart(helm, { files: [DEFAULT_VALUES], values: { terminationGracePeriodSeconds: 60 } })).not.toThrow();
    });

    it('sets no heap size in NODE_OPTIONS when there is no memory limit', () => {
      const objects = renderChart(helm, { files: [DEFAULT_VALUES], values: { resources: { limits: { memory: null } } } });
      const deployment = objects.find((object) => object.kind === 'Deployment') as unknown as {
        spec: { template: { spec: { containers: Array<{ env: Array<{ name: string }> }> } } };
      };
      expect(deployment.spec.template.spec.containers[0].env.map((env) => env.name)).not.toContain('NODE_OPTIONS');
    });

    it('accepts TRUST_PROXY as a hop count (string or number), false, or a subnet list', () => {
      for (const TRUST_PROXY of ['1', 1, 2, 'false', false, '10.0.0.0/8, 192.168.0.0/16']) {
        const objects = renderChart(helm, { files: [DEFAULT_VALUES], values: { config: { TRUST_PROXY } } });
        const configMap = objects.find((object) => object.kind === 'ConfigMap') as unknown as { data: Record<string, string> };
        expect(configMap.data['TRUST_PROXY']).toBe(String(TRUST_PROXY));
      }
    });

    it('takes what the chart README says to type on the command line: --set config.TRUST_PROXY=1', () => {
      const result = runHelm(helm, [
        'template',
        RELEASE,
        CHART_DIR,
        '--namespace',
        NAMESPACE,
        '-f',
        DEFAULT_VALUES,
        '--set',
        'config.TRUST_PROXY=1',
      ]);
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
      expect(result.stdout).toContain('TRUST_PROXY: "1"');
      const refused = runHelm(helm, [
        'template',
        RELEASE,
        CHART_DIR,
        '--namespace',
        NAMESPACE,
        '-f',
        DEFAULT_VALUES,
        '--set-string',
        'config.TRUST_PROXY=true',
      ]);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/config.TRUST_PROXY=true trusts any client's X-Forwarded-For/);
      expect(refused.stderr).not.toContain("'not' failed");
    });

    it('accepts every variable of the app under config, carries each into the ConfigMap, and the app accepts the value too', () => {
      const chartConfig = (JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as ConfigSchema).properties.config
        .properties;
      const chartOwned = Object.keys(chartConfig).filter((name) => chartConfig[name].description?.startsWith('Set by the chart'));
      const appVariables = Object.keys(envVariables(collectFeatures(FEATURES).configFragments)).filter(
        // Tracing has values of its own (tracing.*), mapped onto OpenTelemetry's variables by the chart.
        (name) => !name.startsWith('OTEL_') && !chartOwned.includes(name),
      );
      // Parity: the chart offers exactly the app's variables (and the ones it sets itself).
      expect(
        Object.keys(chartConfig)
          .filter((name) => !chartOwned.includes(name))
          .sort(),
      ).toEqual([...appVariables].sort());

      const values = Object.fromEntries(appVariables.map((name) => [name, sampleValue(name)]));
      const configMap = findObject<{ data: Record<string, string> }>(
        renderChart(helm, { files: [DEFAULT_VALUES], values: { config: values } }),
        'ConfigMap',
      );
      const asEnv = Object.fromEntries(Object.entries(values).map(([name, value]) => [name, String(value)]));
      for (const name of appVariables) expect([name, configMap.data[name]]).toEqual([name, asEnv[name]]);
      // What the chart passes, the app takes (a value the chart accepts but the app refuses would crash-loop pods).
      expect(() =>
        loadConfig({ ...asEnv, DATABASE_URL: 'postgres://u:p@db:5432/app' }, collectFeatures(FEATURES).configFragments),
      ).not.toThrow();
    });
  });
});
