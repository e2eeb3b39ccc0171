import { z } from 'zod';
import { boolVar, enumVar, intVar, stringVar, urlVar } from './env.helpers';

const MINUTE = 60_000;

/** The samplers of the OpenTelemetry spec (`OTEL_TRACES_SAMPLER`) that the SDK ships. */
export const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/** OTLP transports Ballast ships an exporter for (gRPC is not bundled: one dependency tree less). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;

/**
 * The standard `OTEL_*` variables Ballast reads, with OpenTelemetry's own defaults and meaning; part of the
 * config schema (validated with every other variable) and read again by `register.ts` before Nest loads.
 */
export const tracingEnvShape = {
  OTEL_SDK_DISABLED: boolVar(false),
  OTEL_EXPORTER_OTLP_ENDPOINT: urlVar(['http:', 'https:']),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: urlVar(['http:', 'https:']),
  OTEL_EXPORTER_OTLP_PROTOCOL: enumVar('http/protobuf', OTLP_PROTOCOLS),
  // No default of its own: empty or unset falls back to OTEL_EXPORTER_OTLP_PROTOCOL.
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: stringVar('', /^(http\/protobuf|http\/json)$/, 'http/protobuf or http/json'),
  OTEL_EXPORTER_OTLP_TIMEOUT: intVar(10_000, 1, 10 * MINUTE),
  // Read by the exporter itself (it may hold an API key): validated as present-or-not only, never echoed.
  OTEL_EXPORTER_OTLP_HEADERS: z.string().optional(),
  OTEL_SERVICE_NAME: stringVar('ballast', /^[\w.:/-]{1,255}$/, 'a service name of letters, digits and . _ - : /'),
  OTEL_RESOURCE_ATTRIBUTES: stringVar('', /^[^=,\s]+=[^,]*(,[^=,\s]+=[^,]*)*$/, 'comma-separated key=value pairs'),
  OTEL_TRACES_SAMPLER: enumVar('parentbased_always_on', TRACES_SAMPLERS),
  OTEL_TRACES_SAMPLER_ARG: stringVar('1', /^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, 'a ratio from 0 to 1'),
  OTEL_BSP_SCHEDULE_DELAY: intVar(5000, 0, 10 * MINUTE),
  OTEL_BSP_EXPORT_TIMEOUT: intVar(30_000, 1, 10 * MINUTE),
  OTEL_BSP_MAX_QUEUE_SIZE: intVar(2048, 1, 1_000_000),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: intVar(512, 1, 1_000_000),
};

/** The tracing fragment alone (register.ts validates it before the whole schema exists). */
export const tracingEnvSchema = z.object(tracingEnvShape);

/** The validated tracing variables. */
export type TracingEnv = z.output<typeof tracingEnvSchema>;
