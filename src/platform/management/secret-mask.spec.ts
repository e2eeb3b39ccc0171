import { isSecretName, MASKED, maskSecrets } from './secret-mask';

describe(maskSecrets.name, () => {
  it('masks the password of DATABASE_URL and REDIS_URL, keeping user, host and database', () => {
    expect(
      maskSecrets({
        database: { url: 'postgres://app:s3cr%40t@db.internal:5432/app?sslmode=require' },
        rateLimit: { redisUrl: 'rediss://:redis-pass@cache:6380/0' },
      }),
    ).toEqual({
      database: { url: `postgres://app:${MASKED}@db.internal:5432/app?sslmode=require` },
      rateLimit: { redisUrl: `rediss://:${MASKED}@cache:6380/0` },
    });
  });

  it('masks every setting named like a secret, at any depth, in env or camelCase style', () => {
    const masked = maskSecrets({
      MANAGEMENT_TOKEN: 'abc',
      management: { token: 'abc', port: 9000 },
      auth: { clientSecret: 'x', apiKey: 'y', privateKey: 'z', DB_PASSWORD: 'p' },
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer t',
      tracing: { headers: { authorization: 'Bearer t' } },
    });
    expect(masked).toEqual({
      MANAGEMENT_TOKEN: MASKED,
      management: { token: MASKED, port: 9000 },
      auth: { clientSecret: MASKED, apiKey: MASKED, privateKey: MASKED, DB_PASSWORD: MASKED },
      OTEL_EXPORTER_OTLP_HEADERS: MASKED,
      tracing: { headers: MASKED },
    });
  });

  it('leaves settings that only look alike alone, and unset secrets unset', () => {
    expect(
      maskSecrets({
        rateLimit: { maxKeys: 100 },
        httpServer: { headersTimeoutMs: 66_000 },
        keepAliveMs: 1,
        management: { token: undefined },
      }),
    ).toEqual({
      rateLimit: { maxKeys: 100 },
      httpServer: { headersTimeoutMs: 66_000 },
      keepAliveMs: 1,
      management: { token: null },
    });
  });

  it('names the secret words it knows', () => {
    for (const name of ['MANAGEMENT_TOKEN', 'token', 'JWT_SECRET', 'password', 'apiKey', 'API_KEY', 'x-api-key', 'credentials'])
      expect({ name, secret: isSecretName(name) }).toEqual({ name, secret: true });
    for (const name of ['maxKeys', 'RATE_LIMIT_MAX_KEYS', 'headersTimeoutMs', 'monkey', 'tokenizer', 'port'])
      expect({ name, secret: isSecretName(name) }).toEqual({ name, secret: false });
  });
});
