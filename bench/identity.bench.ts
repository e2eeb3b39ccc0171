/**
 * `npm run bench:identity`: what authentication costs per request — the identity guard's `canActivate` in a loop,
 * in one process, for one client sending the same credential (the cached paths every request after the first
 * takes), against the same guard with AUTH_DISABLED=true. Also the uncached verifications for reference (a
 * signature check per request: what the verified-token cache saves). Results: µs per call, medians of rounds.
 * Env: BENCH_ROUNDS (default 7), BENCH_CALLS (default 200000).
 */
import 'reflect-metadata';
import { Controller, type ExecutionContext, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { IncomingMessage } from 'node:http';
import { Counter } from 'prom-client';
import type { HttpClient } from '../src/platform/http-client';
import { generateApiKey } from '../src/platform/identity/api-key';
import { ApiKeyRepository } from '../src/platform/identity/api-key.repository';
import { ApiKeyVerifier } from '../src/platform/identity/api-key.verifier';
import { AuthFailureLimiter } from '../src/platform/identity/auth-failure.limiter';
import { IdentityGuard } from '../src/platform/identity/identity.guard';
import type { IdentityModuleOptions } from '../src/platform/identity/identity.module-definition';
import { JwksCache } from '../src/platform/identity/jwks-cache';
import { JwtVerifier } from '../src/platform/identity/jwt-verifier';
import { Scopes } from '../src/platform/identity/scopes.decorator';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const CALLS = Number(process.env['BENCH_CALLS'] ?? 200_000);
const ISSUER = 'https://idp.bench/';
const AUDIENCE = 'bench';

@Controller('api/v1/things')
class ThingsController {
  @Get()
  @Scopes('things:read')
  list(): void {}
}

/** The ExecutionContext a guard sees for one HTTP request to ThingsController.list. */
function contextFor(headers: Record<string, string>): ExecutionContext {
  const realHandler = Object.getOwnPropertyDescriptor(ThingsController.prototype, 'list')!.value as () => void;
  const http = { getRequest: () => ({ headers, socket: { remoteAddress: '127.0.0.1' } }) as unknown as IncomingMessage };
  return {
    getType: () => 'http',
    getHandler: () => realHandler,
    getClass: () => ThingsController,
    switchToHttp: () => http,
  } as unknown as ExecutionContext;
}

/** A guard as IdentityModule builds it, on an in-memory key table and a JWKS answered in process. */
async function guardWith(options: IdentityModuleOptions, jwks: object, apiKey: string): Promise<IdentityGuard> {
  const counter = new Counter({
    name: `bench_auth_${Math.random().toString(36).slice(2)}`,
    help: 'bench',
    labelNames: ['outcome'],
    registers: [],
  });
  const rows = [
    {
      id: '0b4c0000-0000-4000-8000-000000000000',
      name: 'bench',
      scopes: ['things:read'],
      created_at: new Date(),
      expires_at: null,
      revoked_at: null,
    },
  ];
  const repository = new ApiKeyRepository(<R>() => Promise.resolve(rows as unknown as R[]));
  const apiKeys = new ApiKeyVerifier(repository, 30_000, 10_000);
  const client = { get: () => Promise.resolve({ status: 200, headers: {}, body: jwks }) } as unknown as HttpClient;
  const keys = new JwksCache(client, { path: '/jwks', refreshMs: 300_000, cooldownMs: 30_000, maxStaleMs: 86_400_000 });
  const jwt = new JwtVerifier(keys, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256', 'ES256'], clockSkewSeconds: 30 });
  const guard = new IdentityGuard(new Reflector(), options, counter, apiKeys, new AuthFailureLimiter(options), jwt);
  await apiKeys.verify(apiKey);
  return guard;
}

/** µs per `canActivate`, over `calls` calls (awaiting only when the guard returns a promise). */
async function perCall(guard: IdentityGuard, context: ExecutionContext, calls: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const result = guard.canActivate(context);
    if (result !== true) await result;
  }
  return Number(process.hrtime.bigint() - started) / 1000 / calls;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const rsa = await generateKeyPair('RS256');
  const ec = await generateKeyPair('ES256');
  const jwks = {
    keys: [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa', alg: 'RS256' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec', alg: 'ES256' },
    ],
  };
  const sign = (key: CryptoKeyLike, alg: string, kid: string, sub: string) =>
    new SignJWT({ scope: 'things:read' })
      .setProtectedHeader({ alg, kid })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);
  const rsToken = await sign(rsa.privateKey, 'RS256', 'rsa', 'bench-rs');
  const esToken = await sign(ec.privateKey, 'ES256', 'ec', 'bench-es');
  const apiKey = generateApiKey();

  const enabled = await guardWith({}, jwks, apiKey);
  const disabled = await guardWith({ disabled: true }, jwks, apiKey);
  const contexts = {
    disabled: contextFor({}),
    apiKey: contextFor({ 'x-api-key': apiKey }),
    jwtRs: contextFor({ authorization: `Bearer ${rsToken}` }),
    jwtEs: contextFor({ authorization: `Bearer ${esToken}` }),
  };
  // First calls verify and fill the caches; the loops below measure the cached paths.
  await enabled.canActivate(contexts.jwtRs);
  await enabled.canActivate(contexts.jwtEs);
  for (const ctx of Object.values(contexts)) await perCall(ctx === contexts.disabled ? disabled : enabled, ctx, 20_000);

  const results: Record<string, number[]> = {
    'AUTH_DISABLED=true': [],
    'API key, cached': [],
    'JWT RS256, cached': [],
    'JWT ES256, cached': [],
  };
  for (let round = 0; round < ROUNDS; round++) {
    results['AUTH_DISABLED=true'].push(await perCall(disabled, contexts.disabled, CALLS));
    results['API key, cached'].push(await perCall(enabled, contexts.apiKey, CALLS));
    results['JWT RS256, cached'].push(await perCall(enabled, contexts.jwtRs, CALLS));
    results['JWT ES256, cached'].push(await perCall(enabled, contexts.jwtEs, CALLS));
  }

  // Uncached: a fresh verifier per token text is what a new token costs once (a signature check, jose's claim checks).
  const uncached: Record<string, number> = {};
  for (const [name, key, alg, kid] of [
    ['JWT RS256, verified (no cache)', rsa.privateKey, 'RS256', 'rsa'],
    ['JWT ES256, verified (no cache)', ec.privateKey, 'ES256', 'ec'],
  ] as const) {
    const tokens = await Promise.all(Array.from({ length: 2000 }, (_, i) => sign(key, alg, kid, `u-${i}`)));
    const started = process.hrtime.bigint();
    for (const token of tokens) await enabled.canActivate(contextFor({ authorization: `Bearer ${token}` }));
    uncached[name] = Number(process.hrtime.bigint() - started) / 1000 / tokens.length;
  }

  const base = median(results['AUTH_DISABLED=true']);
  process.stdout.write(`\n# Identity guard, µs per request (median of ${ROUNDS} rounds × ${CALLS} calls; Node ${process.version})\n\n`);
  process.stdout.write('| path | µs per call | over AUTH_DISABLED=true |\n|---|---|---|\n');
  for (const [name, values] of Object.entries(results)) {
    const us = median(values);
    process.stdout.write(`| ${name} | ${us.toFixed(2)} | ${name.startsWith('AUTH') ? '—' : `+${(us - base).toFixed(2)}`} |\n`);
  }
  for (const [name, us] of Object.entries(uncached)) process.stdout.write(`| ${name} | ${us.toFixed(1)} | +${(us - base).toFixed(1)} |\n`);
}

type CryptoKeyLike = Parameters<SignJWT['sign']>[0];

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
