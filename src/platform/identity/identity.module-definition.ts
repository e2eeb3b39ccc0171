import { ConfigurableModuleBuilder } from '@nestjs/common';

/** JWT bearer verification against an identity provider's JWKS. */
export interface JwtOptions {
  /** The JWKS document's URL, fetched through the platform's outbound HTTP client. */
  jwksUrl: string;
  /** The `iss` every token must carry. */
  issuer: string;
  /** The `aud` every token must carry (one of). */
  audience: string;
  /** Accepted JWS algorithms: asymmetric only (`none` and HMAC are never accepted, whatever this says). @default ['RS256','ES256'] */
  algorithms?: string[];
  /** Leeway for `exp` and `nbf`. @default 30 */
  clockSkewSeconds?: number;
  /** Keys are fetched again in the background once this old. @default 300 */
  refreshSeconds?: number;
  /** At most one fetch per this interval, whatever asks for it (unknown `kid`s, failures). @default 30 */
  cooldownSeconds?: number;
  /** Keys fetched this long ago are still used while the identity provider cannot be reached; then 503. @default 86400 */
  maxStaleSeconds?: number;
}

/** Options of {@link IdentityModule}. */
export interface IdentityModuleOptions {
  /** Every request passes as an anonymous principal: local work only (the config refuses it in production). @default false */
  disabled?: boolean;
  /** JWT bearer tokens; undefined: only API keys authenticate. */
  jwt?: JwtOptions;
  /** How long an API key lookup (found, unknown or revoked) is reused: the longest a revoked key keeps working. @default 30 */
  apiKeyCacheSeconds?: number;
  /** API key lookups cached at most. @default 10000 */
  apiKeyCacheMax?: number;
  /** Failed authentications allowed per client IP and minute (a burst of as many), then 429. @default 20 */
  failuresPerMinute?: number;
  /** Whether the SERVER span carries the principal id (`enduser.id`). @default true */
  spanPrincipal?: boolean;
}

/** The module base class with `forRoot(options)`, and the token of its options. */
export const { ConfigurableModuleClass: IdentityConfigurableModule, MODULE_OPTIONS_TOKEN: IDENTITY_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<IdentityModuleOptions>().setClassMethodName('forRoot').build();
