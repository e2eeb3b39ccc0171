/**
 * Suites that do not test identity run with AUTH_DISABLED=true (every request is the anonymous principal), so
 * their requests need no credential; a test that sets any AUTH_* variable, or NODE_ENV=production (where the
 * config refuses it), gets authentication as configured. test/identity/ runs it for real (test/utils/identity.ts).
 */
export function authDefaults(env: Record<string, string>): Record<string, string> {
  const configuresAuth = Object.keys(env).some((name) => name.startsWith('AUTH_'));
  return configuresAuth || env['NODE_ENV'] === 'production' ? {} : { AUTH_DISABLED: 'true' };
}
