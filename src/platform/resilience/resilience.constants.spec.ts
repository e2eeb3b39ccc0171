import { isExemptPath } from './resilience.constants';

describe(isExemptPath.name, () => {
  it.each(['/health/live', '/health/ready', '/health', '/metrics', '/metrics?name[]=x'])('exempts %s from shedding and permits', (url) => {
    expect(isExemptPath(url)).toBe(true);
  });

  it.each(['/api/v1/users', '/healthz', '/metricsx', '/api/health/live', '/'])('does not exempt %s', (url) => {
    expect(isExemptPath(url)).toBe(false);
  });
});
