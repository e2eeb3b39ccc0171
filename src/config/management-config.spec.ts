import { ConfigValidationError, loadConfig } from './load-config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
}

describe('MANAGEMENT_* variables', () => {
  it('leave the management endpoints on the main port and /admin/* off by default', () => {
    expect(loadConfig({}).management).toEqual({ port: undefined, host: '0.0.0.0', token: undefined });
  });

  it('read a port, a host and a token', () => {
    const token = 'a'.repeat(32);
    expect(loadConfig({ MANAGEMENT_PORT: '9000', MANAGEMENT_HOST: '127.0.0.1', MANAGEMENT_TOKEN: token }).management).toEqual({
      port: 9000,
      host: '127.0.0.1',
      token,
    });
  });

  it('refuse a bad port, the main port, and a short token without echoing it', () => {
    expect(problemsOf({ MANAGEMENT_PORT: '70000' })).toEqual([
      expect.stringMatching(/^MANAGEMENT_PORT: 70000 is out of range; expected an integer from 1 to 65535/),
    ]);
    expect(problemsOf({ PORT: '8080', MANAGEMENT_PORT: '8080' })).toEqual([expect.stringMatching(/^MANAGEMENT_PORT: 8080 is also PORT/)]);
    const problems = problemsOf({ MANAGEMENT_TOKEN: 'short-secret' });
    expect(problems).toEqual([expect.stringMatching(/^MANAGEMENT_TOKEN: is not a usable secret \(12 characters\); expected at least 16/)]);
    expect(problems.join('\n')).not.toContain('short-secret');
  });
});
