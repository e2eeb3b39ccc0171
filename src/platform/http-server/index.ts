/** Public surface of the HTTP server wiring: what main.ts calls before and at listen. */
export { configureHttpServer } from './configure-http-server';
export { listen } from './listen';
