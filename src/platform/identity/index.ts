/** Public surface of the identity platform module: the module, its decorators, errors and migrations. */
export { IdentityModule } from './identity.module';
export type { IdentityModuleOptions, JwtOptions } from './identity.module-definition';
export { Public } from './public.decorator';
export { Scopes } from './scopes.decorator';
export { AuthenticationError, InsufficientScopeError, AuthUnavailableError } from './identity.errors';
export { identityMigrations } from './identity.migrations';
export { ApiKeyRepository, type ApiKeyRecord } from './api-key.repository';
