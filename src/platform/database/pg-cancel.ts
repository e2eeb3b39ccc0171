import { connect, type Socket } from 'node:net';
import type { PgClient } from './connection-checkout';

/** PostgreSQL protocol CancelRequest code (1234 << 16 | 5678). */
const CANCEL_REQUEST_CODE = 80877102;

/**
 * Asks the server to cancel the statement `client`'s backend is running (PostgreSQL's CancelRequest: a new
 * connection carrying the backend's pid and key, no authentication; libpq and JDBC cancel the same way).
 * Hand-written because node-postgres has no public cancel API (brianc/node-postgres#3751), and its internal
 * `Client#cancel` leaves the cancel connection's 'error' event unhandled. Best effort: resolves `false` when
 * the request could not be delivered within `timeoutMs`; the caller discards the connection either way.
 */
export function cancelBackend(client: PgClient, timeoutMs = 2000): Promise<boolean> {
  const { processID, secretKey } = client;
  if (processID === null || secretKey === null) return Promise.resolve(false);
  return new Promise((resolve) => {
    let delivered = false;
    const socket: Socket = client.host.startsWith('/')
      ? connect(`${client.host}/.s.PGSQL.${client.port}`)
      : connect(client.port, client.host);
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.once('error', () => undefined);
    socket.once('connect', () => {
      const message = Buffer.alloc(16);
      message.writeInt32BE(16, 0);
      message.writeInt32BE(CANCEL_REQUEST_CODE, 4);
      message.writeInt32BE(processID, 8);
      message.writeInt32BE(secretKey, 12);
      socket.end(message, () => (delivered = true));
    });
    // The server closes the connection once it has processed the request.
    socket.once('close', () => resolve(delivered));
  });
}
