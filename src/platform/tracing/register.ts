/**
 * Starts tracing when an OTLP endpoint is configured: the tracer provider, its sampler and exporter, before Nest
 * loads (main.ts imports it first, after the Node version check), so the spans module finds it running. No module
 * is patched. Without an endpoint it loads nothing but the settings check: no SDK. Usable as a preload too:
 * `node --require ./dist/platform/tracing/register.js`.
 */
import { tracingSettingsFrom } from '../../config/tracing-settings';

const settings = tracingSettingsFrom(process.env);
if (settings) {
  // Required lazily: with tracing off, the SDK is never loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy and synchronous: it must run before the next import
  const { startTracing } = require('./tracing-sdk') as typeof import('./tracing-sdk');
  startTracing(settings);
}
