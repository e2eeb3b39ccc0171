import { resolveUpstreamSettings, UPSTREAM_DEFAULTS } from './upstream-settings';

const outbound = { timeoutMs: 30_000, connectTimeoutMs: 5000, maxConnectionsPerHost: 10 };

describe(resolveUpstreamSettings.name, () => {
  it('takes timeouts and the socket cap from the outbound configuration, and queues at most as many as it connects', () => {
    const settings = resolveUpstreamSettings('profile', { baseUrl: 'http://profiles.internal:8080/api/' }, outbound);
    expect(settings).toMatchObject({
      origin: 'http://profiles.internal:8080',
      basePath: '/api',
      timeoutMs: 30_000,
      connectTimeoutMs: 5000,
      maxConnections: 10,
      maxQueued: 10,
      affectsReadiness: false,
      retry: UPSTREAM_DEFAULTS.retry,
      breaker: UPSTREAM_DEFAULTS.breaker,
    });
  });

  it('lets an upstream override any of them, merging partial retry and breaker options', () => {
    const settings = resolveUpstreamSettings(
      'x',
      { baseUrl: 'https://x.test', timeoutMs: 500, maxConnections: 2, retry: { maxRetries: 0 }, breaker: { halfOpenAfterMs: 50 } },
      outbound,
    );
    expect(settings).toMatchObject({
      timeoutMs: 500,
      maxConnections: 2,
      maxQueued: 2,
      retry: { ...UPSTREAM_DEFAULTS.retry, maxRetries: 0 },
    });
    expect(settings.breaker.halfOpenAfterMs).toBe(50);
    expect(settings.breaker.consecutiveFailures).toBe(UPSTREAM_DEFAULTS.breaker.consecutiveFailures);
  });

  it('disables the client when the base URL is unset or empty', () => {
    expect(resolveUpstreamSettings('x', { baseUrl: undefined }, outbound).origin).toBeUndefined();
    expect(resolveUpstreamSettings('x', { baseUrl: '' }, outbound).origin).toBeUndefined();
  });

  it.each([
    [{ baseUrl: 'ftp://x.test' }, /http: or https:/],
    [{ baseUrl: 'not a url' }, /not a valid URL/],
    [{ baseUrl: 'http://x.test/?a=1' }, /query/],
    [{ baseUrl: 'http://x.test', maxConnections: 0 }, /maxConnections must be a positive integer/],
    [{ baseUrl: 'http://x.test', retry: { budgetRatio: 2 } }, /budgetRatio/],
    [{ baseUrl: 'http://x.test', breaker: { failureRate: 1 } }, /failureRate/],
    [{ baseUrl: 'http://x.test', breaker: { window: 5, minimumAttempts: 6 } }, /minimumAttempts/],
    [{ baseUrl: 'http://x.test', healthPath: 'health' }, /healthPath/],
  ])('refuses %j at boot, naming the upstream', (options, message) => {
    expect(() => resolveUpstreamSettings('bad_one', options, outbound)).toThrow(message);
    expect(() => resolveUpstreamSettings('bad_one', options, outbound)).toThrow(/"bad_one"/);
  });

  it('refuses a name that is not a valid metric label value shape', () => {
    expect(() => resolveUpstreamSettings('Profile-Service', { baseUrl: undefined }, outbound)).toThrow(/name/);
  });
});
