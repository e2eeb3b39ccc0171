import type { AllConfig } from '../../config/app-config';
import type { BreakerOptions, HttpClientOptions, RetryOptions } from './http-client-options.interface';

/** Every setting of one upstream, defaults applied. */
export interface UpstreamSettings {
  name: string;
  /** `undefined`: the client is disabled (no URL configured). */
  origin: string | undefined;
  /** Path prefix of every call ('' or '/base', no trailing slash). */
  basePath: string;
  timeoutMs: number;
  connectTimeoutMs: number;
  maxConnections: number;
  maxQueued: number;
  keepAliveTimeoutMs: number;
  maxResponseBytes: number;
  retry: Required<RetryOptions>;
  breaker: Required<BreakerOptions>;
  affectsReadiness: boolean;
  healthPath: string | undefined;
  healthTimeoutMs: number;
}

/** Defaults of what the `outbound` configuration does not cover. */
export const UPSTREAM_DEFAULTS = {
  keepAliveTimeoutMs: 4000,
  maxResponseBytes: 1024 * 1024,
  healthTimeoutMs: 2000,
  retry: { maxRetries: 2, initialDelayMs: 100, maxDelayMs: 1000, budgetRatio: 0.2, budgetBurst: 10 },
  breaker: { consecutiveFailures: 5, failureRate: 0.5, window: 20, minimumAttempts: 10, halfOpenAfterMs: 10_000 },
} as const;

/**
 * Applies the `outbound` configuration and the defaults to a feature's options, and refuses values that
 * cannot work (at boot, naming the upstream and the option): a bad URL, non-positive bounds.
 */
export function resolveUpstreamSettings(name: string, options: HttpClientOptions, outbound: AllConfig['outbound']): UpstreamSettings {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`http client "${name}": the name must match [a-z][a-z0-9_]* (it is a metric label)`);
  const fail = (message: string): never => {
    throw new Error(`http client "${name}": ${message}`);
  };
  let origin: string | undefined;
  let basePath = '';
  if (options.baseUrl !== undefined && options.baseUrl !== '') {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      return fail('baseUrl is not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`baseUrl must be http: or https:, not ${url.protocol}`);
    if (url.search || url.hash) fail('baseUrl must not have a query or a fragment');
    origin = url.origin;
    basePath = url.pathname.replace(/\/+$/, '');
  }
  const maxConnections = options.maxConnections ?? outbound.maxConnectionsPerHost;
  const settings: UpstreamSettings = {
    name,
    origin,
    basePath,
    timeoutMs: options.timeoutMs ?? outbound.timeoutMs,
    connectTimeoutMs: options.connectTimeoutMs ?? outbound.connectTimeoutMs,
    maxConnections,
    maxQueued: options.maxQueued ?? maxConnections,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? UPSTREAM_DEFAULTS.keepAliveTimeoutMs,
    maxResponseBytes: options.maxResponseBytes ?? UPSTREAM_DEFAULTS.maxResponseBytes,
    retry: { ...UPSTREAM_DEFAULTS.retry, ...options.retry },
    breaker: { ...UPSTREAM_DEFAULTS.breaker, ...options.breaker },
    affectsReadiness: options.affectsReadiness ?? false,
    healthPath: options.healthPath,
    healthTimeoutMs: options.healthTimeoutMs ?? UPSTREAM_DEFAULTS.healthTimeoutMs,
  };
  const { retry, breaker } = settings;
  const positive = {
    timeoutMs: settings.timeoutMs,
    connectTimeoutMs: settings.connectTimeoutMs,
    maxConnections,
    keepAliveTimeoutMs: settings.keepAliveTimeoutMs,
    maxResponseBytes: settings.maxResponseBytes,
    healthTimeoutMs: settings.healthTimeoutMs,
    'retry.initialDelayMs': retry.initialDelayMs,
    'retry.maxDelayMs': retry.maxDelayMs,
    'breaker.consecutiveFailures': breaker.consecutiveFailures,
    'breaker.window': breaker.window,
    'breaker.halfOpenAfterMs': breaker.halfOpenAfterMs,
  };
  for (const [key, value] of Object.entries(positive))
    if (!Number.isInteger(value) || value < 1) fail(`${key} must be a positive integer, got ${value}`);
  const nonNegative = { maxQueued: settings.maxQueued, 'retry.maxRetries': retry.maxRetries, 'retry.budgetBurst': retry.budgetBurst };
  for (const [key, value] of Object.entries(nonNegative))
    if (!Number.isInteger(value) || value < 0) fail(`${key} must be a non-negative integer, got ${value}`);
  if (!(retry.budgetRatio >= 0 && retry.budgetRatio <= 1)) fail('retry.budgetRatio must be between 0 and 1');
  if (!(breaker.failureRate > 0 && breaker.failureRate < 1)) fail('breaker.failureRate must be between 0 and 1 (exclusive)');
  const { minimumAttempts, window } = breaker;
  if (!Number.isInteger(minimumAttempts) || minimumAttempts < 1 || minimumAttempts > window)
    fail('breaker.minimumAttempts must be an integer from 1 to breaker.window');
  if (settings.healthPath !== undefined && !settings.healthPath.startsWith('/')) fail('healthPath must start with /');
  return settings;
}
