import { DEFAULT_VALUES, helmTemplate, renderChart } from './utils/helm';
import { ensureHelm } from './utils/helm-binary';

const FETCH_TIMEOUT_MS = 300_000;

let helm: string;

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
      ['a grace period given as a string', { terminationGracePeriodSeconds: '45s' }, /\/terminationGracePeriodSeconds': got string, want integer/],
      ['TRUST_PROXY "true" (the app refuses it)', { config: { TRUST_PROXY: 'true' } }, /\/config\/TRUST_PROXY': 'not' failed/],
      ['TRUST_PROXY as a YAML boolean', { config: { TRUST_PROXY: true } }, /\/config\/TRUST_PROXY': got boolean, want string/],
      ['an unknown LOG_LEVEL', { config: { LOG_LEVEL: 'verbose' } }, /\/config\/LOG_LEVEL': value must be one of/],
      ['DB_POOL_MAX 0', { config: { DB_POOL_MAX: 0 } }, /\/config\/DB_POOL_MAX': minimum/],
      ['a lower-case environment variable name', { config: { log_level: 'info' } }, /invalid propertyName 'log_level'[\s\S]*does not match pattern '\^\[A-Z\]/],
      ['a nested object as an environment value', { config: { NEW_SETTING: { a: 1 } } }, /\/config\/NEW_SETTING': got object/],
      ['a database URL that is not postgres', { database: { url: 'mysql://db/app' } }, /\/database\/url': '.*' does not match pattern/],
      ['a memory limit that is not a quantity', { resources: { limits: { memory: 'lots' } } }, /\/resources\/limits\/memory': 'lots' does not match pattern/],
      ['a heap share above 95%', { nodeOptions: { maxOldSpacePercent: 100 } }, /\/nodeOptions\/maxOldSpacePercent': maximum/],
      ['a liveness successThreshold other than 1', { livenessProbe: { successThreshold: 2 } }, /\/livenessProbe\/successThreshold': value must be 1/],
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
      ['SHUTDOWN_DELAY_MS in config (it follows shutdown.delayMs)', { config: { SHUTDOWN_DELAY_MS: 0 } }, /config.SHUTDOWN_DELAY_MS is set by the chart/],
      ['DB_RUN_MIGRATIONS in config (it follows migrations.enabled)', { config: { DB_RUN_MIGRATIONS: true } }, /config.DB_RUN_MIGRATIONS is set by the chart/],
      ['DATABASE_URL in config (it belongs in a Secret)', { config: { DATABASE_URL: 'postgres://u:p@db/app' } }, /config.DATABASE_URL is set by the chart/],
      ['a rollout that can never progress', { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }, /cannot both be 0/],
      ['autoscaling with minReplicas above maxReplicas', { autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 2 } }, /minReplicas \(5\) is larger than autoscaling.maxReplicas \(2\)/],
      ['a PodDisruptionBudget with both minAvailable and maxUnavailable', { podDisruptionBudget: { minAvailable: 2 } }, /set exactly one of minAvailable and maxUnavailable/],
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
      expect(deployment.spec.template.spec.containers[0]!.env.map((env) => env.name)).not.toContain('NODE_OPTIONS');
    });

    it('accepts TRUST_PROXY as a hop count or a subnet list', () => {
      for (const TRUST_PROXY of ['1', '10.0.0.0/8, 192.168.0.0/16']) {
        expect(() => renderChart(helm, { files: [DEFAULT_VALUES], values: { config: { TRUST_PROXY } } })).not.toThrow();
      }
    });
  });
});
