import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { ensureHelm } from '../chart/utils/helm-binary';
import { ALL_FEATURES_VALUES, CHART_DIR, findObject, NAMESPACE, RELEASE, renderChart, runHelmWithValues } from '../chart/utils/helm';
import { schemaProblems } from '../chart/utils/kubernetes-schemas';

const FULLNAME = `${RELEASE}-ballast`;
const TRACING = {
  tracing: {
    endpoint: 'http://otel-collector.observability:4318',
    ratio: 0.25,
    networkPolicy: { port: 4318, to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } } }] },
  },
};

describe('charts/ballast tracing values', () => {
  let helm: string;
  beforeAll(async () => {
    helm = await ensureHelm();
  }, 300_000);

  it('puts nothing of OpenTelemetry in the ConfigMap and no collector egress without an endpoint', () => {
    const objects = renderChart(helm, { files: [ALL_FEATURES_VALUES] });
    expect(Object.keys(findObject<IConfigMap>(objects, 'ConfigMap', FULLNAME).data!).filter((key) => key.startsWith('OTEL_'))).toEqual([]);
    expect(
      findObject<INetworkPolicy>(objects, 'NetworkPolicy').spec!.egress!.flatMap((rule) => rule.ports!.map((port) => port.port)),
    ).not.toContain(4318);
  });

  it('renders endpoint, sampler and ratio into the ConfigMap and opens egress to the collector', () => {
    const objects = renderChart(helm, { files: [ALL_FEATURES_VALUES], values: TRACING });
    expect(findObject<IConfigMap>(objects, 'ConfigMap', FULLNAME).data).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_SERVICE_NAME: FULLNAME,
      OTEL_RESOURCE_ATTRIBUTES: `k8s.namespace.name=${NAMESPACE}`,
    });
    const egress = findObject<INetworkPolicy>(objects, 'NetworkPolicy').spec!.egress!;
    expect(egress).toContainEqual({ ports: [{ port: 4318, protocol: 'TCP' }], to: TRACING.tracing.networkPolicy.to });
    expect(objects.flatMap((object) => schemaProblems(object))).toEqual([]);
    expect(runHelmWithValues(helm, ['lint', '--strict', CHART_DIR], { files: [ALL_FEATURES_VALUES], values: TRACING }).status).toBe(0);
  });

  it.each([
    ['an endpoint that is not a URL', { tracing: { endpoint: 'otel-collector:4318' } }],
    ['a ratio above 1', { tracing: { ratio: 10 } }],
    ['an unknown sampler', { tracing: { sampler: 'sometimes' } }],
    ['an unknown key', { tracing: { endpiont: 'http://x:4318' } }],
    ['OTEL_* set through config as well', { config: { OTEL_TRACES_SAMPLER: 'always_on' } }],
  ])('refuses %s', (_what, values) => {
    const result = runHelmWithValues(helm, ['template', RELEASE, CHART_DIR], { files: [ALL_FEATURES_VALUES], values });
    expect(result.status).not.toBe(0);
  });
});
