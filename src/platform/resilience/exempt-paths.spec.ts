import { DEFAULT_EXEMPT_PATHS, ExemptPaths } from './exempt-paths';

describe(ExemptPaths.name, () => {
  const defaults = new ExemptPaths();

  it('defaults to health and metrics', () => {
    expect(DEFAULT_EXEMPT_PATHS).toEqual(['/health', '/metrics']);
  });

  it.each([
    '/health/live',
    '/health/ready',
    '/health',
    '/metrics',
    '/metrics?name[]=x',
    '/health?x=1',
    '/HEALTH/live',
    '/Metrics',
    '/metrics/',
  ])('exempts %s', (url) => {
    expect(defaults.matches(url)).toBe(true);
  });

  it.each(['/api/v1/users', '/healthz', '/metricsx', '/api/health/live', '/', '', '/healt'])('does not exempt %s', (url) => {
    expect(defaults.matches(url)).toBe(false);
  });

  it('takes a configured list, normalised to lowercase without a trailing slash', () => {
    const paths = new ExemptPaths(['/Status/', '/metrics']);
    expect(paths.matches('/status/deep')).toBe(true);
    expect(paths.matches('/STATUS')).toBe(true);
    expect(paths.matches('/health/live')).toBe(false);
    expect(paths.matches('/metrics')).toBe(true);
  });
});
