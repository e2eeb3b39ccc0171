import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { HttpClient, HttpClientModule } from '../http-client';
import { httpClientToken } from '../http-client/http-client.constants';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyVerifier } from './api-key.verifier';
import { AuthFailureLimiter } from './auth-failure.limiter';
import { JWKS_UPSTREAM } from './identity.constants';
import { IdentityGuard } from './identity.guard';
import { identityMetricProviders } from './identity.metrics';
import {
  IDENTITY_MODULE_OPTIONS,
  IdentityConfigurableModule,
  type IdentityModuleOptions,
  type JwtOptions,
} from './identity.module-definition';
import { JwksCache } from './jwks-cache';
import { JwtVerifier } from './jwt-verifier';

/** The JWKS client's own bounds: a key set is small, and a slow identity provider must not hold requests long. */
const JWKS_CLIENT = { timeoutMs: 5000, maxConnections: 2, maxQueued: 8, maxResponseBytes: 256 * 1024, retry: { maxRetries: 1 } };

/**
 * Authentication for the whole API: the global {@link IdentityGuard} (registered before the rate-limit guard by
 * its place in the composition root), JWT bearer tokens verified against the identity provider's JWKS (fetched
 * through the platform's HTTP client as upstream `jwks`), API keys stored hashed in PostgreSQL. See docs/identity.md.
 */
@Module({})
export class IdentityModule extends IdentityConfigurableModule {
  static override forRoot(options: IdentityModuleOptions = {}): DynamicModule {
    const base = super.forRoot(options);
    const jwt = options.jwt;
    const url = jwt ? new URL(jwt.jwksUrl) : undefined;
    const jwtProviders: Provider[] = jwt
      ? [
          {
            provide: JwksCache,
            inject: [httpClientToken(JWKS_UPSTREAM)],
            useFactory: (client: HttpClient) => new JwksCache(client, jwksSettings(jwt, url!)),
          },
          { provide: JwtVerifier, inject: [JwksCache], useFactory: (keys: JwksCache) => new JwtVerifier(keys, verifierSettings(jwt)) },
        ]
      : [];
    return {
      ...base,
      imports: [
        ...(base.imports ?? []),
        ...(url ? [HttpClientModule.forFeature({ name: JWKS_UPSTREAM, baseUrl: url.origin, ...JWKS_CLIENT })] : []),
      ],
      providers: [
        ...(base.providers ?? []),
        ...identityMetricProviders,
        ...jwtProviders,
        {
          provide: ApiKeyRepository,
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => new ApiKeyRepository((sql, params) => dataSource.query(sql, params)),
        },
        {
          provide: ApiKeyVerifier,
          inject: [ApiKeyRepository, IDENTITY_MODULE_OPTIONS],
          useFactory: (repository: ApiKeyRepository, o: IdentityModuleOptions) =>
            new ApiKeyVerifier(repository, (o.apiKeyCacheSeconds ?? 30) * 1000, o.apiKeyCacheMax ?? 10_000),
        },
        AuthFailureLimiter,
        { provide: APP_GUARD, useClass: IdentityGuard },
      ],
      exports: [ApiKeyRepository, ApiKeyVerifier],
    };
  }
}

function jwksSettings(jwt: JwtOptions, url: URL) {
  return {
    path: url.pathname + url.search,
    refreshMs: (jwt.refreshSeconds ?? 300) * 1000,
    cooldownMs: (jwt.cooldownSeconds ?? 30) * 1000,
    maxStaleMs: (jwt.maxStaleSeconds ?? 86_400) * 1000,
  };
}

function verifierSettings(jwt: JwtOptions) {
  return {
    issuer: jwt.issuer,
    audience: jwt.audience,
    algorithms: jwt.algorithms ?? ['RS256', 'ES256'],
    clockSkewSeconds: jwt.clockSkewSeconds ?? 30,
  };
}
