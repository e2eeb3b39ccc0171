import { ConfigValidationError, loadConfig } from './load-config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, []);
    return [];
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
}

describe('identity configuration (AUTH_*)', () => {
  it('defaults to authentication on, no JWT, RS256/ES256 and a 30 s skew', () => {
    const { identity } = loadConfig({}, []);
    expect(identity).toEqual({ disabled: false, jwt: undefined, apiKeyCacheSeconds: 30, failuresPerMinute: 20, spanPrincipal: true });
    const withJwt = loadConfig(
      { AUTH_JWKS_URL: 'https://idp.example/jwks', AUTH_ISSUER: 'https://idp.example/', AUTH_AUDIENCE: 'api' },
      [],
    );
    expect(withJwt.identity.jwt).toMatchObject({ algorithms: ['RS256', 'ES256'], clockSkewSeconds: 30, cooldownSeconds: 30 });
  });

  it('refuses AUTH_DISABLED=true when NODE_ENV=production, and allows it elsewhere', () => {
    expect(problemsOf({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/app', AUTH_DISABLED: 'true' })).toEqual([
      expect.stringMatching(/^AUTH_DISABLED: must not be true when NODE_ENV=production/),
    ]);
    expect(problemsOf({ NODE_ENV: 'development', AUTH_DISABLED: 'true' })).toEqual([]);
  });

  it('requires AUTH_ISSUER and AUTH_AUDIENCE with AUTH_JWKS_URL', () => {
    expect(problemsOf({ AUTH_JWKS_URL: 'https://idp.example/jwks' })).toEqual([
      expect.stringMatching(/^AUTH_ISSUER: is required with AUTH_JWKS_URL/),
      expect.stringMatching(/^AUTH_AUDIENCE: is required with AUTH_JWKS_URL/),
    ]);
  });

  it('refuses none and HMAC algorithms, naming the accepted ones', () => {
    for (const value of ['none', 'HS256', 'RS256,HS256'])
      expect(problemsOf({ AUTH_ALGORITHMS: value })).toEqual([
        expect.stringMatching(/^AUTH_ALGORITHMS: .*none and HMAC algorithms are refused/),
      ]);
    expect(problemsOf({ AUTH_ALGORITHMS: 'ES384, EdDSA' })).toEqual([]);
  });

  it('refuses a JWKS URL that is not http(s)', () => {
    expect(problemsOf({ AUTH_JWKS_URL: 'ftp://idp.example/jwks', AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' })).toEqual([
      expect.stringMatching(/^AUTH_JWKS_URL: /),
    ]);
  });
});
