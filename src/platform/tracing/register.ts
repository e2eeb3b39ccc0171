/**
 * Starts tracing when an OTLP endpoint is configured. It must be the first module main.ts loads (after
 * the Node version check): the SDK patches node:http, pg and undici as they are required, so anything
 * loaded before it goes untraced. Without an endpoint it loads nothing but the settings check: no SDK,
 * no patched module. Usable as a preload too: `node --require ./dist/platform/tracing/register.js`.
 */
import { tracingSettingsFrom } from '../../config/tracing-settings';

const settings = tracingSettingsFrom(process.env);
if (settings) {
  // Required lazily: with tracing off, the SDK is never loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy and synchronous: it must run before the next import
  const { startTracing } = require('./tracing-sdk') as typeof import('./tracing-sdk');
  startTracing(settings);
}
