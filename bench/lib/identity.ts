import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The credential every bench request carries once {@link startBenchIdentity} ran (Ballast's routes need one). */
let headers: Record<string, string> = {};
let env: Record<string, string> = {};
let server: Server | undefined;

/**
 * Starts a JWKS server in the bench process and signs one token with the example feature's scopes: Ballast's
 * targets verify it like a production deployment (AUTH_JWKS_URL etc. in {@link benchIdentityEnv}), the load
 * generators send it on every request ({@link benchHeaders}; the bare targets ignore it).
 */
export async function startBenchIdentity(): Promise<void> {
  if (server) return;
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' }] });
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(jwks);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  server.unref();
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = await new SignJWT({ scope: 'users:read users:write' })
    .setProtectedHeader({ alg: 'ES256', kid: 'bench' })
    .setSubject('bench')
    .setIssuer(`${origin}/`)
    .setAudience('ballast-bench')
    .setIssuedAt()
    .setExpirationTime('24h')
    .sign(privateKey);
  env = { AUTH_JWKS_URL: `${origin}/jwks.json`, AUTH_ISSUER: `${origin}/`, AUTH_AUDIENCE: 'ballast-bench' };
  headers = { authorization: `Bearer ${token}` };
}

/** Ballast's AUTH_* settings for the bench's identity provider (empty before {@link startBenchIdentity}). */
export function benchIdentityEnv(): Record<string, string> {
  return env;
}

/** The headers every bench request sends (empty before {@link startBenchIdentity}). */
export function benchHeaders(): Record<string, string> {
  return headers;
}
