import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { Client } from 'pg';
import { ApiKeyRepository } from '../../src/platform/identity';
import { behave, UpstreamServer } from './upstream-server';

/** The issuer and audience the local identity provider's tokens carry (and the app is configured with). */
export const TEST_ISSUER = 'https://idp.ballast.test/';
export const TEST_AUDIENCE = 'ballast-api';
const JWKS_PATH = '/.well-known/jwks.json';

/** A signing key of the local identity provider. */
export interface TestSigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  publicJwk: JWK;
}

/** What a minted token carries; anything left out gets a valid default. */
export interface TokenClaims {
  sub?: string;
  scope?: string;
  iss?: string;
  aud?: string;
  /** Seconds from now (negative: already expired). @default 300 */
  expiresIn?: number;
  /** Seconds from now before which the token is not valid. */
  notBefore?: number;
  /** The key to sign with (its kid goes in the header). @default the first RS256 key */
  key?: TestSigningKey;
  /** A kid to put in the header instead of the key's. */
  kid?: string;
  extra?: JWTPayload;
}

/**
 * A real identity provider on 127.0.0.1 for tests: a node:http server serving a JWKS of keys generated in the
 * test, and token minting with jose. It counts JWKS fetches, rotates keys, and can go down (503) and come back.
 */
export class LocalIdentityProvider {
  readonly server = new UpstreamServer();
  readonly keys: TestSigningKey[] = [];
  private published: JWK[] = [];
  private up = true;

  static async start(): Promise<LocalIdentityProvider> {
    const idp = new LocalIdentityProvider();
    await idp.addKey('RS256');
    await idp.addKey('ES256');
    idp.server.behaviour = (req, res) =>
      idp.up ? behave.json({ keys: idp.published })(req, res) : behave.status(503, 'identity provider down')(req, res);
    await idp.server.start();
    return idp;
  }

  /** The app's AUTH_* variables for this provider. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return { AUTH_JWKS_URL: this.server.url + JWKS_PATH, AUTH_ISSUER: TEST_ISSUER, AUTH_AUDIENCE: TEST_AUDIENCE, ...extra };
  }

  /** JWKS requests received so far. */
  get fetches(): number {
    return this.server.paths.filter((path) => path === JWKS_PATH).length;
  }

  /** Generates and publishes a new key (key rotation); `publish: false` keeps it out of the JWKS for now. */
  async addKey(alg: 'RS256' | 'ES256', publish = true): Promise<TestSigningKey> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const kid = `${alg.toLowerCase()}-${this.keys.length + 1}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    const key = { kid, alg, privateKey, publicJwk };
    this.keys.push(key);
    if (publish) this.publish(key);
    return key;
  }

  publish(key: TestSigningKey): void {
    this.published.push(key.publicJwk);
  }

  /** The provider answers 503 to every JWKS request until {@link recover}. */
  goDown(): void {
    this.up = false;
  }

  recover(): void {
    this.up = true;
  }

  /** A signed token; every claim defaults to a valid value (RS256, `users:read users:write`, 5 minutes). */
  async token(claims: TokenClaims = {}): Promise<string> {
    const key = claims.key ?? this.keys[0];
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ scope: claims.scope ?? 'users:read users:write', ...claims.extra })
      .setProtectedHeader({ alg: key.alg, kid: claims.kid ?? key.kid, typ: 'JWT' })
      .setSubject(claims.sub ?? 'user-1')
      .setIssuer(claims.iss ?? TEST_ISSUER)
      .setAudience(claims.aud ?? TEST_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + (claims.expiresIn ?? 300));
    if (claims.notBefore !== undefined) jwt.setNotBefore(now + claims.notBefore);
    return jwt.sign(key.privateKey);
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }
}

/** Creates an API key in the app's database (as `npm run api-key -- create` does); returns the key and its id. */
export async function createApiKey(
  databaseUrl: string,
  name: string,
  scopes: string[],
  expiresAt?: Date,
): Promise<{ key: string; id: string }> {
  return withRepository(databaseUrl, async (keys) => {
    const { key, record } = await keys.create(name, scopes, expiresAt);
    return { key, id: record.id };
  });
}

/** Runs `fn` with an {@link ApiKeyRepository} on its own connection to `databaseUrl`. */
export async function withRepository<T>(databaseUrl: string, fn: (keys: ApiKeyRepository) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await fn(new ApiKeyRepository(async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[]));
  } finally {
    await client.end();
  }
}
