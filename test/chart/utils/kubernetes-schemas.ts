import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * kubernetes-models is ESM-only and exports its files under the `import` condition alone, which jest's
 * CommonJS resolver does not use; jest loads an ES module required by its path, so the files are found here.
 */
function packageDir(name: string): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === dirname(dir)) throw new Error(`${name} is not installed (npm ci)`);
  }
}

function loadModel(packageName: string, file: string): ModelClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a model file by computed path, synchronously (import() would make every caller async)
  const exports = require(join(packageDir(packageName), `${file}.js`)) as Record<string, ModelClass>;
  const model = exports[file.slice(file.lastIndexOf('/') + 1)];
  if (!model) throw new Error(`${packageName}/${file} exports no model`);
  return model;
}

/** A kubernetes-models class: its prototype's validate() checks `this` against the kind's OpenAPI schema. */
interface ModelClass {
  readonly apiVersion: string;
  readonly kind: string;
  readonly prototype: { validate(): void };
}

/** Every kind the chart may render, keyed by `apiVersion/kind`. CRDs come from the prometheus-operator models. */
const MODELS: ReadonlyMap<string, ModelClass> = new Map(
  [
    ...[
      'v1/ConfigMap',
      'v1/Pod',
      'v1/Secret',
      'v1/Service',
      'v1/ServiceAccount',
      'apps/v1/Deployment',
      'autoscaling/v2/HorizontalPodAutoscaler',
      'batch/v1/Job',
      'networking.k8s.io/v1/Ingress',
      'networking.k8s.io/v1/NetworkPolicy',
      'policy/v1/PodDisruptionBudget',
    ].map((file) => loadModel('kubernetes-models', file)),
    ...['monitoring.coreos.com/v1/PrometheusRule', 'monitoring.coreos.com/v1/ServiceMonitor'].map((file) =>
      loadModel('@kubernetes-models/prometheus-operator', file),
    ),
  ].map((model) => [`${model.apiVersion}/${model.kind}`, model]),
);

/** What the schema validator did with one object: the keys it looked up, and whether it listed them all. */
interface Access {
  readonly read: Set<PropertyKey>;
  enumerated: boolean;
}

/**
 * Validates an object against its kind's schema and lists every problem, unknown fields included.
 *
 * The models' validators (compiled ajv) check types, required fields and formats, but accept fields the schema
 * does not know — the ones an API server with `--validate=strict` refuses. So the object is validated through a
 * proxy that records every property the validator reads: a compiled schema reads each property it declares,
 * and enumerates the keys of free-form maps (labels, annotations, preserved-unknown fields). A key of an object
 * whose schema declared properties (it read some) and did not enumerate them is a key the schema does not know.
 */
export function schemaProblems(object: { apiVersion?: unknown; kind?: unknown }): string[] {
  const model = MODELS.get(`${String(object.apiVersion)}/${String(object.kind)}`);
  if (!model) return [`no schema for ${String(object.apiVersion)} ${String(object.kind)}`];

  const accesses = new WeakMap<object, Access>();
  const problems: string[] = [];
  try {
    model.prototype.validate.call(recording(object, accesses));
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  collectUnknownFields(object, '', accesses, problems);
  return problems;
}

function recording<T extends object>(target: T, accesses: WeakMap<object, Access>): T {
  const access: Access = accesses.get(target) ?? { read: new Set(), enumerated: false };
  accesses.set(target, access);
  return new Proxy(target, {
    get(subject, key, receiver) {
      access.read.add(key);
      const value: unknown = Reflect.get(subject, key, receiver);
      return typeof value === 'object' && value !== null ? recording(value, accesses) : value;
    },
    has(subject, key) {
      access.read.add(key);
      return Reflect.has(subject, key);
    },
    ownKeys(subject) {
      access.enumerated = true;
      return Reflect.ownKeys(subject);
    },
  });
}

function collectUnknownFields(value: unknown, path: string, accesses: WeakMap<object, Access>, problems: string[]): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => collectUnknownFields(item, `${path}/${index}`, accesses, problems));
    return;
  }
  const access = accesses.get(value);
  if (!access) return; // never reached by the validator: inside an unknown field, reported above it
  const declaresProperties = !access.enumerated && access.read.size > 0;
  for (const [key, child] of Object.entries(value)) {
    if (declaresProperties && !access.read.has(key)) problems.push(`${path}/${key} is not a field of the schema`);
    else collectUnknownFields(child, `${path}/${key}`, accesses, problems);
  }
}
