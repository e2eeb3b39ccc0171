/** Public surface of the security options (CORS, headers), applied by the HTTP server wiring. */
export { corsOptions } from './cors';
export { securityHeadersOptions } from './security-headers';
