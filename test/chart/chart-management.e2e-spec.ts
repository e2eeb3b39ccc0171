import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import {
  ALL_FEATURES_VALUES,
  CHART_DIR,
  DEFAULT_VALUES,
  findObject,
  helmTemplate,
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
let allFeatures: RenderedObject[];
let withoutManagement: RenderedObject[];

beforeAll(async () => {
  helm = await ensureHelm();
  allFeatures = renderChart(helm, { files: [ALL_FEATURES_VALUES] });
  withoutManagement = renderChart(helm, { files: [ALL_FEATURES_VALUES], values: { management: { enabled: false } } });
}, FETCH_TIMEOUT_MS);

const appContainer = (objects: readonly RenderedObject[]): IContainer =>
  findObject<IDeployment>(objects, 'Deployment').spec!.template.spec!.containers[0];
const configOf = (objects: readonly RenderedObject[]): Record<string, string> =>
  findObject<IConfigMap>(objects, 'ConfigMap', FULLNAME).data!;

describe('charts/ballast management port', () => {
  it('keeps the management port out of the public Service and every Ingress backend', () => {
    const service = findObject<IService>(allFeatures, 'Service', FULLNAME);
    expect(service.spec!.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    const ingress = findObject<RenderedObject & { spec: { rules: Array<{ http: { paths: Array<{ backend: unknown }> } }> } }>(
      allFeatures,
      'Ingress',
    );
    const backends = ingress.spec.rules.flatMap((rule) => rule.http.paths.map((path) => path.backend));
    expect(backends).toEqual([{ service: { name: FULLNAME, port: { name: 'http' } } }]);
  });

  it('serves the management port through a headless Service of its own, which the ServiceMonitor selects', () => {
    const management = findObject<IService>(allFeatures, 'Service', `${FULLNAME}-management`);
    expect(management.spec!.clusterIP).toBe('None');
    expect(management.spec!.ports).toEqual([{ name: 'management', port: 8081, targetPort: 'management', protocol: 'TCP' }]);
    const monitor = findObject<IServiceMonitor>(allFeatures, 'ServiceMonitor');
    const selector = monitor.spec.selector.matchLabels!;
    expect(selector).toMatchObject({ 'app.kubernetes.io/component': 'management' });
    // The selector picks the management Service and not the public one.
    const matches = (service: IService) => Object.entries(selector).every(([key, value]) => service.metadata!.labels?.[key] === value);
    expect(matches(management)).toBe(true);
    expect(matches(findObject<IService>(allFeatures, 'Service', FULLNAME))).toBe(false);
    expect(monitor.spec.endpoints.map((endpoint) => endpoint.port)).toEqual(['management']);
  });

  it('sets MANAGEMENT_PORT and reads MANAGEMENT_TOKEN from a generated Secret, or from an existing one', () => {
    expect(configOf(allFeatures)['MANAGEMENT_PORT']).toBe('8081');
    expect(appContainer(allFeatures).env).toContainEqual({
      name: 'MANAGEMENT_TOKEN',
      valueFrom: { secretKeyRef: { name: `${FULLNAME}-management`, key: 'MANAGEMENT_TOKEN' } },
    });
    const secret = findObject<ISecret>(allFeatures, 'Secret', `${FULLNAME}-management`);
    expect(Buffer.from(secret.data!['MANAGEMENT_TOKEN'], 'base64').toString()).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(secret.metadata!.annotations).toMatchObject({ 'helm.sh/resource-policy': 'keep' });

    const existing = renderChart(helm, {
      files: [DEFAULT_VALUES],
      values: { management: { admin: { existingSecret: 'ops-token', existingSecretKey: 'token' } } },
    });
    expect(appContainer(existing).env).toContainEqual({
      name: 'MANAGEMENT_TOKEN',
      valueFrom: { secretKeyRef: { name: 'ops-token', key: 'token' } },
    });
    expect(existing.some((object) => object.kind === 'Secret')).toBe(false);

    const noAdmin = renderChart(helm, { files: [DEFAULT_VALUES], values: { management: { admin: { enabled: false } } } });
    expect(appContainer(noAdmin).env!.some((env) => env.name === 'MANAGEMENT_TOKEN')).toBe(false);
    expect(noAdmin.some((object) => object.kind === 'Secret')).toBe(false);
  });

  it('admits only the monitoring namespace and the `helm test` pod to the management port, configurably', () => {
    const rule = (objects: readonly RenderedObject[]) =>
      findObject<INetworkPolicy>(objects, 'NetworkPolicy').spec!.ingress!.find((r) => r.ports?.[0]?.port === 'management')!;
    expect(rule(allFeatures).from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
      { podSelector: { matchLabels: { [`${FULLNAME}-client`]: 'true' } } },
    ]);
    const custom = renderChart(helm, {
      files: [ALL_FEATURES_VALUES],
      values: { management: { ingressFrom: [{ namespaceSelector: { matchLabels: { team: 'observability' } } }] } },
    });
    expect(rule(custom).from![0]).toEqual({ namespaceSelector: { matchLabels: { team: 'observability' } } });
  });

  it('with management.enabled=false keeps everything on the app port, as before', () => {
    const container = appContainer(withoutManagement);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(configOf(withoutManagement)['MANAGEMENT_PORT']).toBeUndefined();
    expect(container.env!.some((env) => env.name === 'MANAGEMENT_TOKEN')).toBe(false);
    expect(withoutManagement.some((object) => object.metadata.name.endsWith('-management'))).toBe(false);
    expect(findObject<IServiceMonitor>(withoutManagement, 'ServiceMonitor').spec.endpoints.map((e) => e.port)).toEqual(['http']);
    const policy = findObject<INetworkPolicy>(withoutManagement, 'NetworkPolicy').spec!;
    expect(policy.ingress!.map((rule) => rule.ports)).toEqual([[{ port: 'http', protocol: 'TCP' }]]);
  });

  it('validates every object of both variants against its Kubernetes schema', () => {
    const problems = [...allFeatures, ...withoutManagement].flatMap((object) =>
      schemaProblems(object).map((problem) => `${object.kind}/${object.metadata.name}: ${problem}`),
    );
    expect(problems).toEqual([]);
  });

  it('warns in NOTES.txt when an Ingress would publish /metrics, and shows the port-forward and token commands', () => {
    const notes = (values: Record<string, unknown>): string => {
      const result = runHelmWithValues(helm, ['install', RELEASE, CHART_DIR, '--dry-run=client', '--namespace', NAMESPACE], {
        files: [DEFAULT_VALUES],
        values,
      });
      expect(result.stderr).toBe('');
      return result.stdout.slice(result.stdout.indexOf('NOTES:'));
    };
    const exposed = notes({ ingress: { enabled: true }, config: { TRUST_PROXY: '1' }, management: { enabled: false } });
    expect(exposed).toContain('WARNING: ingress.enabled with management.enabled=false: /metrics and /health/* are served on the app port');
    const managed = notes({ ingress: { enabled: true }, config: { TRUST_PROXY: '1' } });
    expect(managed).not.toContain('WARNING');
    expect(managed).toContain(`kubectl -n ${NAMESPACE} port-forward deployment/${FULLNAME} 8081:management`);
    expect(managed).toContain(`get secret ${FULLNAME}-management -o jsonpath='{.data.MANAGEMENT_TOKEN}'`);
  });

  it('refuses a management port equal to the app port, and MANAGEMENT_* set through config', () => {
    const refused = helmTemplate(helm, {
      files: [DEFAULT_VALUES],
      values: { management: { port: 3000 }, config: { MANAGEMENT_TOKEN: 'x' } },
    });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/management.port \(3000\) equals containerPort/);
    expect(refused.stderr).toMatch(/config.MANAGEMENT_TOKEN is set by the chart/);
  });
});
