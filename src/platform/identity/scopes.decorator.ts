import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { SCOPES_METADATA, SECURITY_SCHEME } from './identity.constants';

/**
 * The scopes a principal needs for the route (all of them); a route under `/api` without it needs a principal
 * with any scope. Documents the operation's security (bearer JWT or API key), its scopes (`x-required-scopes`,
 * since OpenAPI 3.0 allows scope lists on OAuth2 schemes only) and its 401/403 answers.
 */
export function Scopes(...scopes: string[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(SCOPES_METADATA, scopes),
    ApiSecurity(SECURITY_SCHEME.bearer),
    ApiSecurity(SECURITY_SCHEME.apiKey),
    ApiExtension('x-required-scopes', scopes),
    ApiUnauthorizedResponse({
      description: 'No credential, or one that is malformed, expired or not verifiable (`WWW-Authenticate: Bearer`).',
    }),
    ApiForbiddenResponse({ description: `The credential lacks a scope: ${scopes.join(', ')} (\`insufficient_scope\`).` }),
  );
}
