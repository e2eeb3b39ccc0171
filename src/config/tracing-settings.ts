import { OTLP_PROTOCOLS, TRACES_SAMPLERS, type TracingEnv, tracingEnvSchema } from './tracing-env.schema';

/** What the SDK is started with; derived from the `OTEL_*` variables only. */
export interface TracingSettings {
  /** Where spans go: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as is, or `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`. */
  url: string;
  protocol: (typeof OTLP_PROTOCOLS)[number];
  serviceName: string;
  sampler: (typeof TRACES_SAMPLERS)[number];
  /** `OTEL_TRACES_SAMPLER_ARG` for the ratio samplers. @default 1 */
  ratio: number;
  /** `OTEL_EXPORTER_OTLP_TIMEOUT`: one export request. @default 10000 */
  exportRequestTimeoutMs: number;
  scheduleDelayMs: number;
  /** `OTEL_BSP_EXPORT_TIMEOUT`: one batch, retries included. @default 30000 */
  exportTimeoutMs: number;
  /** `OTEL_BSP_MAX_QUEUE_SIZE`: ended spans waiting for export; beyond it spans are dropped and counted. @default 2048 */
  maxQueueSize: number;
  maxExportBatchSize: number;
}

/**
 * The tracing settings, or undefined when tracing is off: no endpoint set, `OTEL_SDK_DISABLED=true`, or an
 * invalid variable (then `loadConfig` refuses to start and names it; tracing must not guess meanwhile).
 */
export function tracingSettingsFrom(env: NodeJS.ProcessEnv): TracingSettings | undefined {
  const parsed = tracingEnvSchema.safeParse(env);
  if (!parsed.success) return undefined;
  return settingsOf(parsed.data);
}

/** {@link tracingSettingsFrom} on variables already validated. */
export function settingsOf(env: TracingEnv): TracingSettings | undefined {
  if (env.OTEL_SDK_DISABLED) return undefined;
  const url =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (env.OTEL_EXPORTER_OTLP_ENDPOINT && `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`);
  if (!url) return undefined;
  return {
    url,
    protocol: (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL) as TracingSettings['protocol'],
    serviceName: env.OTEL_SERVICE_NAME,
    sampler: env.OTEL_TRACES_SAMPLER,
    ratio: Number(env.OTEL_TRACES_SAMPLER_ARG),
    exportRequestTimeoutMs: env.OTEL_EXPORTER_OTLP_TIMEOUT,
    scheduleDelayMs: env.OTEL_BSP_SCHEDULE_DELAY,
    exportTimeoutMs: env.OTEL_BSP_EXPORT_TIMEOUT,
    maxQueueSize: env.OTEL_BSP_MAX_QUEUE_SIZE,
    maxExportBatchSize: Math.min(env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, env.OTEL_BSP_MAX_QUEUE_SIZE),
  };
}
