import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import {
  ALL_FEATURES_VALUES,
  CHART_DIR,
  DEFAULT_VALUES,
  findObject,
  NAMESPACE,
  RELEASE,
  renderChart,
  runHelmWithValues,
  type RenderedObject,
} from './utils/helm';
import { ensureHelm } from './utils/helm-binary';
import { schemaProblems } from './utils/kubernetes-schemas';

const FULLNAME = `${RELEASE}-ballast`;
const FETCH_TIMEOUT_MS = 300_000;

let helm: string;
let defaults: RenderedObject[];
let allFeatures: RenderedObject[];

beforeAll(async () => {
  helm = await ensureHelm();
  defaults = renderChart(helm, { files: [DEFAULT_VALUES] });
  allFeatures = renderChart(helm, { files: [ALL_FEATURES_VALUES] });
}, FETCH_TIMEOUT_MS);

const kinds = (objects: readonly RenderedObject[]): string[] => objects.map((object) => `${object.kind}/${object.metadata.name}`).sort();
const deploymentOf = (objects: readonly RenderedObject[]): IDeployment => findObject<IDeployment>(objects, 'Deployment');
const appContainer = (objects: readonly RenderedObject[]): IContainer => deploymentOf(objects).spec!.template.spec!.containers[0];
const configOf = (objects: readonly RenderedObject[]): Record<string, string> =>
  findObject<IConfigMap>(objects, 'ConfigMap', FULLNAME).data!;
const envValue = (container: IContainer, name: string): string | undefined => container.env?.find((env) => env.name === name)?.value;

describe('charts/ballast', () => {
  describe('helm lint', () => {
    it.each([
      ['the default values', DEFAULT_VALUES],
      ['every optional feature on', ALL_FEATURES_VALUES],
    ])('passes `helm lint --strict` with %s', (_name, file) => {
      const result = runHelmWithValues(helm, ['lint', '--strict', CHART_DIR], { files: [file] });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });
  });

  describe('rendered objects', () => {
    it('renders the core objects with the default values', () => {
      expect(kinds(defaults)).toEqual([
        `ConfigMap/${FULLNAME}`,
        `Deployment/${FULLNAME}`,
        `Pod/${FULLNAME}-test-ready`,
        `PodDisruptionBudget/${FULLNAME}`,
        `Secret/${FULLNAME}-management`,
        `Service/${FULLNAME}`,
        `Service/${FULLNAME}-management`,
        `ServiceAccount/${FULLNAME}`,
      ]);
    });

    it('renders every optional object when every feature is on', () => {
      expect(kinds(allFeatures)).toEqual([
        `ConfigMap/${FULLNAME}`,
        `ConfigMap/${FULLNAME}-dashboard`,
        `Deployment/${FULLNAME}`,
        `HorizontalPodAutoscaler/${FULLNAME}`,
        `Ingress/${FULLNAME}`,
        `Job/${FULLNAME}-migrations`,
        `NetworkPolicy/${FULLNAME}`,
        `Pod/${FULLNAME}-test-ready`,
        `PodDisruptionBudget/${FULLNAME}`,
        `PrometheusRule/${FULLNAME}`,
        `Secret/${FULLNAME}`,
        `Secret/${FULLNAME}-management`,
        `Secret/${FULLNAME}-migrations`,
        `Service/${FULLNAME}`,
        `Service/${FULLNAME}-management`,
        `ServiceAccount/${FULLNAME}`,
        `ServiceMonitor/${FULLNAME}`,
      ]);
    });

    it('puts every object in the release namespace', () => {
      for (const object of [...defaults, ...allFeatures]) expect(object.metadata.namespace).toBe(NAMESPACE);
    });

    it('validates every object against its Kubernetes schema, unknown fields included', () => {
      const problems = [...defaults, ...allFeatures].flatMap((object) =>
        schemaProblems(object).map((problem) => `${object.kind}/${object.metadata.name}: ${problem}`),
      );
      expect(problems).toEqual([]);
    });

    it('the schema check reports unknown fields and wrong types, and accepts free-form maps', () => {
      const deployment = structuredClone(deploymentOf(defaults)) as unknown as RenderedObject & IDeployment;
      deployment.metadata.labels = { ...deployment.metadata.labels, 'any.label/key': 'accepted' };
      const container = deployment.spec!.template.spec!.containers[0] as IContainer & { bogus?: boolean };
      container.bogus = true;
      (deployment.spec as { replicas: unknown }).replicas = 'three';

      expect(schemaProblems(deployment)).toEqual([
        expect.stringContaining('/spec/replicas must be integer'),
        '/spec/template/spec/containers/0/bogus is not a field of the schema',
      ]);
    });
  });

  describe('Deployment', () => {
    it('runs 3 replicas and rolls out with maxSurge 1 and maxUnavailable 0', () => {
      const spec = deploymentOf(defaults).spec!;
      expect(spec.replicas).toBe(3);
      expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    });

    it('probes /health/live for startup and liveness and /health/ready for readiness, on the management port', () => {
      const container = appContainer(defaults);
      expect(container.ports).toEqual([
        { name: 'http', containerPort: 3000, protocol: 'TCP' },
        { name: 'management', containerPort: 8081, protocol: 'TCP' },
      ]);
      expect(container.startupProbe?.httpGet).toEqual({ path: '/health/live', port: 'management' });
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'management' });
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'management' });
      expect(configOf(defaults)['PORT']).toBe('3000');
    });

    it('gives pods a grace period longer than SHUTDOWN_DELAY_MS + SHUTDOWN_DRAIN_TIMEOUT_MS, with no preStop sleep', () => {
      const config = configOf(defaults);
      const delayMs = Number(config['SHUTDOWN_DELAY_MS']);
      const drainMs = Number(config['SHUTDOWN_DRAIN_TIMEOUT_MS']);
      expect(delayMs).toBe(5000);
      expect(drainMs).toBe(30_000);
      const podSpec = deploymentOf(defaults).spec!.template.spec!;
      expect(podSpec.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(delayMs + drainMs);
      expect(appContainer(defaults).lifecycle).toBeUndefined();
    });

    it('requests 128Mi/250m and limits 512Mi/1000m by default', () => {
      expect(appContainer(defaults).resources).toEqual({
        requests: { memory: '128Mi', cpu: '250m' },
        limits: { memory: '512Mi', cpu: '1000m' },
      });
    });

    it.each([
      ['512Mi', 384],
      ['1Gi', 768],
      ['1.5Gi', 1152],
      ['1000M', 715],
    ])('sizes the V8 heap at 75%% of a %s memory limit (--max-old-space-size=%d)', (memory, heapMiB) => {
      const objects = renderChart(helm, { files: [DEFAULT_VALUES], values: { resources: { limits: { memory } } } });
      expect(envValue(appContainer(objects), 'NODE_OPTIONS')).toBe(`--max-old-space-size=${heapMiB}`);
    });

    it('appends nodeOptions.extra to NODE_OPTIONS and sets UV_THREADPOOL_SIZE from values', () => {
      const container = appContainer(allFeatures);
      expect(envValue(container, 'NODE_OPTIONS')).toBe('--max-old-space-size=384 --enable-source-maps');
      expect(envValue(container, 'UV_THREADPOOL_SIZE')).toBe('8');
      expect(envValue(appContainer(defaults), 'UV_THREADPOOL_SIZE')).toBe('4');
    });

    it('spreads pods across zones and nodes, per ReplicaSet', () => {
      const constraints = deploymentOf(defaults).spec!.template.spec!.topologySpreadConstraints!;
      expect(constraints.map((constraint) => constraint.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
      for (const constraint of constraints) {
        expect(constraint.labelSelector?.matchLabels).toEqual(deploymentOf(defaults).spec!.selector.matchLabels);
        expect(constraint.matchLabelKeys).toEqual(['pod-template-hash']);
      }
    });

    it('leaves the replica count to the HorizontalPodAutoscaler when autoscaling is on', () => {
      expect(deploymentOf(allFeatures).spec!.replicas).toBeUndefined();
    });
  });

  describe('pod hardening', () => {
    const podSpecs = (objects: readonly RenderedObject[]): Array<[string, IPodSpec]> =>
      objects.flatMap((object): Array<[string, IPodSpec]> => {
        if (object.kind === 'Deployment') return [[object.metadata.name, (object as unknown as IDeployment).spec!.template.spec!]];
        if (object.kind === 'Job') return [[object.metadata.name, (object as unknown as IJob).spec!.template.spec!]];
        if (object.kind === 'Pod') return [[object.metadata.name, (object as unknown as IPod).spec!]];
        return [];
      });

    it('renders three pod specs with every feature on: app, migrations and helm test', () => {
      expect(
        podSpecs(allFeatures)
          .map(([name]) => name)
          .sort(),
      ).toEqual([FULLNAME, `${FULLNAME}-migrations`, `${FULLNAME}-test-ready`]);
    });

    it('runs every pod as non-root UID 10001 with RuntimeDefault seccomp, no service account token and no service links', () => {
      for (const [, spec] of podSpecs(allFeatures)) {
        expect(spec.automountServiceAccountToken).toBe(false);
        expect(spec.enableServiceLinks).toBe(false);
        expect(spec.securityContext).toMatchObject({
          runAsNonRoot: true,
          runAsUser: 10001,
          runAsGroup: 10001,
          seccompProfile: { type: 'RuntimeDefault' },
        });
      }
    });

    it('runs every container read-only, without privilege escalation and with every capability dropped', () => {
      for (const [, spec] of podSpecs(allFeatures)) {
        for (const container of spec.containers) {
          expect(container.securityContext).toMatchObject({
            runAsNonRoot: true,
            runAsUser: 10001,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          });
          expect(container.resources?.limits?.['memory']).toBeDefined();
        }
      }
    });

    it('makes /tmp, an emptyDir, the only writable path of the app and the migrations', () => {
      for (const [name, spec] of podSpecs(allFeatures).filter(([podName]) => !podName.endsWith('-test-ready'))) {
        expect([name, spec.containers[0].volumeMounts]).toEqual([name, [{ name: 'tmp', mountPath: '/tmp' }]]);
        expect(spec.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
      }
    });

    it("keeps the migration and test pods out of the app's Service, PodDisruptionBudget and NetworkPolicy", () => {
      const selector = findObject<IService>(allFeatures, 'Service', FULLNAME).spec!.selector!;
      const selected = (labels: Record<string, string> = {}): boolean =>
        Object.entries(selector).every(([key, value]) => labels[key] === value);
      expect(selected(deploymentOf(allFeatures).spec!.template.metadata!.labels)).toBe(true);
      expect(selected(findObject<IJob>(allFeatures, 'Job').spec!.template.metadata!.labels)).toBe(false);
      expect(selected(findObject<IPod>(allFeatures, 'Pod').metadata!.labels)).toBe(false);
      expect(findObject<IPodDisruptionBudget>(allFeatures, 'PodDisruptionBudget').spec!.selector!.matchLabels).toEqual(selector);
      expect(findObject<INetworkPolicy>(allFeatures, 'NetworkPolicy').spec!.podSelector!.matchLabels).toEqual(selector);
    });
  });

  describe('configuration', () => {
    it('renders the SPEC settings into the ConfigMap as the app reads them, with the chart shutdown delay', () => {
      expect(configOf(defaults)).toMatchObject({
        NODE_ENV: 'production',
        HOST: '0.0.0.0',
        LOG_LEVEL: 'info',
        DB_POOL_MAX: '20',
        DB_POOL_MIN: '5',
        DB_IDLE_TIMEOUT_MS: '600000',
        DB_MAX_LIFETIME_MS: '1800000',
        DB_RUN_MIGRATIONS: 'true',
        BODY_LIMIT_BYTES: '102400',
        TRUST_PROXY: 'false',
        SHUTDOWN_DELAY_MS: '5000',
        SHUTDOWN_DRAIN_TIMEOUT_MS: '30000',
      });
      expect(appContainer(defaults).envFrom).toEqual([{ configMapRef: { name: FULLNAME } }]);
    });

    it('passes a new variable from values.config through without a template change', () => {
      expect(configOf(allFeatures)['PROFILE_SERVICE_URL']).toBe('http://profile.default.svc:8080');
    });

    it('reads DATABASE_URL from an existing Secret, and renders no Secret of its own then', () => {
      expect(appContainer(defaults).env).toContainEqual({
        name: 'DATABASE_URL',
        valueFrom: { secretKeyRef: { name: 'ballast-database', key: 'DATABASE_URL' } },
      });
      expect(defaults.some((object) => object.kind === 'Secret' && object.metadata.name === FULLNAME)).toBe(false);
      expect(appContainer(defaults).env!.some((env) => env.name === 'REDIS_URL')).toBe(false);
    });

    it('stores DATABASE_URL and REDIS_URL given in values in its Secret and reads them from it', () => {
      const secret = findObject<ISecret>(allFeatures, 'Secret', FULLNAME);
      const decode = (value = ''): string => Buffer.from(value, 'base64').toString('utf8');
      expect(decode(secret.data!['DATABASE_URL'])).toBe('postgres://ballast:secret@postgres.db.svc:5432/ballast');
      expect(decode(secret.data!['REDIS_URL'])).toBe('redis://redis.cache.svc:6379/0');
      for (const name of ['DATABASE_URL', 'REDIS_URL']) {
        expect(appContainer(allFeatures).env).toContainEqual({ name, valueFrom: { secretKeyRef: { name: FULLNAME, key: name } } });
      }
    });

    it('changes the checksum annotation, so the pods roll, when a setting changes, and only then', () => {
      const checksums = (values: Record<string, unknown>): Record<string, string> =>
        deploymentOf(renderChart(helm, { files: [ALL_FEATURES_VALUES], values })).spec!.template.metadata!.annotations!;
      const base = checksums({});
      expect(base['checksum/config']).toMatch(/^[a-f0-9]{64}$/);
      expect(base['checksum/secret']).toMatch(/^[a-f0-9]{64}$/);
      expect(checksums({ config: { LOG_LEVEL: 'debug' } })['checksum/config']).not.toBe(base['checksum/config']);
      expect(checksums({ shutdown: { delayMs: 4000 } })['checksum/config']).not.toBe(base['checksum/config']);
      expect(checksums({ redis: { url: 'redis://other:6379' } })['checksum/secret']).not.toBe(base['checksum/secret']);
      expect(checksums({ autoscaling: { maxReplicas: 20 } })).toEqual(base);
    });
  });

  describe('migrations', () => {
    it('runs the TypeORM migrations from the app image in a pre-install/pre-upgrade hook Job', () => {
      const job = findObject<IJob>(allFeatures, 'Job');
      expect(job.metadata!.annotations).toMatchObject({ 'helm.sh/hook': 'pre-install,pre-upgrade' });
      const container = job.spec!.template.spec!.containers[0];
      expect(container.image).toBe(appContainer(allFeatures).image);
      expect(container.command).toEqual(['node', 'node_modules/typeorm/cli.js', 'migration:run', '-d', 'dist/data-source.js']);
      expect(container.env).toContainEqual({
        name: 'DATABASE_URL',
        valueFrom: { secretKeyRef: { name: `${FULLNAME}-migrations`, key: 'DATABASE_URL' } },
      });
    });

    it('gives the Job a hook Secret created before it, since the release Secret does not exist yet at pre-install', () => {
      const secret = findObject<ISecret>(allFeatures, 'Secret', `${FULLNAME}-migrations`);
      const job = findObject<IJob>(allFeatures, 'Job');
      expect(Number(secret.metadata!.annotations!['helm.sh/hook-weight'])).toBeLessThan(
        Number(job.metadata!.annotations!['helm.sh/hook-weight']),
      );
      expect(job.spec!.template.spec!.serviceAccountName).toBeUndefined();
    });

    it('starts the app with DB_RUN_MIGRATIONS=false when the Job runs them', () => {
      expect(configOf(allFeatures)['DB_RUN_MIGRATIONS']).toBe('false');
    });
  });

  describe('optional objects', () => {
    it('limits voluntary disruptions to one pod at a time by default', () => {
      expect(findObject<IPodDisruptionBudget>(defaults, 'PodDisruptionBudget').spec).toMatchObject({
        maxUnavailable: 1,
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      });
    });

    it('autoscales the Deployment with autoscaling/v2, scaling up fast and down slowly', () => {
      const hpa = findObject<IHorizontalPodAutoscaler>(allFeatures, 'HorizontalPodAutoscaler');
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: FULLNAME });
      expect(hpa.spec.metrics!.map((metric) => metric.resource?.name)).toEqual(['cpu', 'memory']);
      expect(hpa.spec.behavior!.scaleDown!.stabilizationWindowSeconds).toBe(300);
      expect(hpa.spec.behavior!.scaleUp!.stabilizationWindowSeconds).toBe(0);
    });

    it('scrapes /metrics on the management port', () => {
      const monitor = findObject<IServiceMonitor>(allFeatures, 'ServiceMonitor');
      expect(monitor.spec.endpoints).toEqual([{ port: 'management', path: '/metrics', interval: '30s', scrapeTimeout: '10s' }]);
      expect(monitor.metadata!.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    });

    it('alerts on the SPEC metrics, keeping the Prometheus template placeholders', () => {
      const rules = findObject<IPrometheusRule>(allFeatures, 'PrometheusRule').spec.groups!.flatMap((group) => group.rules ?? []);
      expect(rules.length).toBeGreaterThan(0);
      const expressions = rules.map((rule) => String(rule.expr)).join('\n');
      for (const metric of [
        'http_requests_total',
        'http_request_duration_seconds_bucket',
        'http_requests_rejected_total',
        'db_pool_connections',
        'nodejs_eventloop_lag_p99_seconds',
      ]) {
        expect(expressions).toContain(metric);
      }
      expect(rules[0].annotations!['summary']).toContain('{{ $labels.job }}');
    });

    it('ships the Grafana dashboard as valid JSON in a ConfigMap the sidecar picks up', () => {
      const dashboard = findObject<IConfigMap>(allFeatures, 'ConfigMap', `${FULLNAME}-dashboard`);
      expect(dashboard.metadata!.labels).toMatchObject({ grafana_dashboard: '1' });
      const json = JSON.parse(dashboard.data!['ballast.json']) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
      const expressions = json.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)).join('\n');
      for (const metric of ['http_requests_in_flight', 'resource_permits_in_use', 'db_pool_connections', 'http_requests_rejected_total']) {
        expect(expressions).toContain(metric);
      }
    });

    it('opens only the app and management ports for ingress and only DNS, the database, Redis and the extra rules for egress', () => {
      const policy = findObject<INetworkPolicy>(allFeatures, 'NetworkPolicy').spec!;
      expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(policy.ingress!.map((rule) => rule.ports)).toEqual([
        [{ port: 'http', protocol: 'TCP' }],
        [{ port: 'management', protocol: 'TCP' }],
      ]);
      expect(policy.ingress![0].from).toContainEqual({ podSelector: { matchLabels: { [`${FULLNAME}-client`]: 'true' } } });
      expect(policy.egress!.map((rule) => rule.ports!.map((port) => `${port.protocol}/${port.port}`))).toEqual([
        ['UDP/53', 'TCP/53'],
        ['TCP/5432'],
        ['TCP/6379'],
        ['TCP/8080'],
      ]);
    });

    it('routes the Ingress to the Service port by name', () => {
      const ingress = findObject<
        RenderedObject & { spec: { rules: Array<{ host: string; http: { paths: Array<{ backend: unknown }> } }> } }
      >(allFeatures, 'Ingress');
      expect(ingress.spec.rules[0].host).toBe('api.example.com');
      expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: FULLNAME, port: { name: 'http' } } });
    });

    it('warns in NOTES.txt when an Ingress is on but TRUST_PROXY still says no proxy', () => {
      const notes = (values: Record<string, unknown>): string => {
        const result = runHelmWithValues(helm, ['install', RELEASE, CHART_DIR, '--dry-run=client', '--namespace', NAMESPACE], {
          files: [DEFAULT_VALUES],
          values,
        });
        expect(result.stderr).toBe('');
        return result.stdout.slice(result.stdout.indexOf('NOTES:'));
      };
      expect(notes({ ingress: { enabled: true } })).toContain('WARNING: ingress.enabled but config.TRUST_PROXY is "false"');
      expect(notes({ ingress: { enabled: true }, config: { TRUST_PROXY: '1' } })).not.toContain('WARNING');
      expect(notes({})).toContain(`kubectl -n ${NAMESPACE} rollout status deployment/${FULLNAME}`);
    });

    it('checks /health/ready through the management Service, and its refusal on the public one, in the `helm test` pod', () => {
      const pod = findObject<IPod>(defaults, 'Pod');
      expect(pod.metadata!.annotations).toMatchObject({ 'helm.sh/hook': 'test' });
      const script = pod.spec!.containers[0].command!.join(' ');
      expect(script).toContain(`['http://${FULLNAME}-management:8081/health/ready', 200]`);
      expect(script).toContain(`['http://${FULLNAME}:80/health/ready', 404]`);
      expect(pod.spec!.restartPolicy).toBe('Never');
    });
  });
});
