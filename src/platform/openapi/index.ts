/** Public surface of the OpenAPI document wiring. */
export { setupOpenApi, OPENAPI_PATHS } from './setup-openapi';
export { PLATFORM_RESPONSES } from './problem-responses';
export { OPENAPI_FEATURE_TAGS, type OpenApiTag } from './openapi-tags';
export { SECURITY_SCHEME, REQUIRED_SCOPES_EXTENSION } from './security-schemes';
