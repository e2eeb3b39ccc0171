import { createServer } from 'node:http';
import { loadConfig } from '../../config/load-config';
import { applyServerLimits, connectionsCheckingIntervalMs } from './server-limits';

describe(applyServerLimits.name, () => {
  it('sets every configured limit on the server, with the connection sweep derived from the timeouts', () => {
    const server = createServer();
    const limits = loadConfig({
      HTTP_HEADERS_TIMEOUT_MS: '2000',
      HTTP_REQUEST_TIMEOUT_MS: '3000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '1500',
      HTTP_MAX_HEADER_SIZE: '8192',
      HTTP_MAX_CONNECTIONS: '77',
    }).httpServer;
    applyServerLimits(server, limits);
    expect(server).toMatchObject({
      headersTimeout: 2000,
      requestTimeout: 3000,
      keepAliveTimeout: 1500,
      maxConnections: 77,
      maxHeaderSize: 8192,
      connectionsCheckingInterval: 500,
    });
  });
});

describe(connectionsCheckingIntervalMs.name, () => {
  it('sweeps at a quarter of the shorter timeout, between 50 ms and 1 s', () => {
    expect(connectionsCheckingIntervalMs({ headersTimeoutMs: 66_000, requestTimeoutMs: 90_000 })).toBe(1000);
    expect(connectionsCheckingIntervalMs({ headersTimeoutMs: 1000, requestTimeoutMs: 2000 })).toBe(250);
    expect(connectionsCheckingIntervalMs({ headersTimeoutMs: 10, requestTimeoutMs: 10 })).toBe(50);
  });
});
