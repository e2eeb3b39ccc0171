import type { Server } from 'node:http';
import type { AllConfig } from '../../config/app-config';

/** The Node HTTP server limits, from `AllConfig.httpServer`. */
export type HttpServerLimits = AllConfig['httpServer'];

/** Bounds of the interval at which Node sweeps connections for expired headers/request timeouts. */
const CHECK_INTERVAL_MIN_MS = 50;
const CHECK_INTERVAL_MAX_MS = 1000;

/**
 * How often Node checks connections for an expired headersTimeout/requestTimeout. Node's default (30 s)
 * lets a slow client outlive its timeout by up to 30 s; a quarter of the shorter timeout, within
 * 50 ms-1 s, cuts it close to the configured time. The sweep visits only sockets mid-request: cheap.
 * @default 1000 with the default timeouts
 */
export function connectionsCheckingIntervalMs(limits: Pick<HttpServerLimits, 'headersTimeoutMs' | 'requestTimeoutMs'>): number {
  const quarter = Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4);
  return Math.min(CHECK_INTERVAL_MAX_MS, Math.max(CHECK_INTERVAL_MIN_MS, quarter));
}

/**
 * Applies the configured limits to the server Nest created, before it listens. Called by
 * `configureHttpServer()`, hence by `main.ts` and the test bootstrap alike.
 *
 * `maxHeaderSize` and `connectionsCheckingInterval` are `http.createServer()` options; Node keeps them as
 * properties of the server and reads them per connection and at `listen()`, so setting them here (Nest
 * created the server without options) takes effect. test/security/server-limits.e2e-spec.ts proves both.
 * The listen backlog is an argument of `listen()`: see `listen.ts`.
 */
export function applyServerLimits(server: Server, limits: HttpServerLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  const options = server as Server & { maxHeaderSize?: number; connectionsCheckingInterval?: number };
  options.maxHeaderSize = limits.maxHeaderSize;
  options.connectionsCheckingInterval = connectionsCheckingIntervalMs(limits);
}
