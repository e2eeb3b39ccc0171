import { connect, type Socket } from 'node:net';

/** What a raw TCP client saw until the server closed the connection. */
export interface SocketOutcome {
  /** Milliseconds from connect to the server closing (or resetting) the socket. */
  closedAfterMs: number;
  /** Everything the server sent. */
  received: string;
  /** The first status code the server sent, if any. */
  status: number | undefined;
  /** Bytes the client wrote before the close. */
  bytesWritten: number;
}

/** A client socket on 127.0.0.1 that records what it receives and when it closes. */
export interface RawClient {
  socket: Socket;
  /** Resolves when the server closes the connection (never rejects). */
  closed: Promise<SocketOutcome>;
  /** Stops writing and destroys the socket from the client side. */
  destroy(): void;
}

/**
 * Opens a connection and writes `text` one chunk of `bytesPerTick` bytes every `intervalMs` (the first
 * at once), cycling over `text` when `loop` is set: the slowloris pattern. The server decides when it ends.
 * `encoding` `latin1` sends each character as one byte (raw bytes 0-255).
 */
export function trickle(
  port: number,
  text: string,
  options: { intervalMs: number; bytesPerTick?: number; loop?: boolean; prefix?: string; encoding?: BufferEncoding },
): RawClient {
  const { intervalMs, bytesPerTick = 1, loop = false, prefix = '', encoding = 'utf8' } = options;
  const started = Date.now();
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let received = '';
  let written = 0;
  let offset = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    if (socket.destroyed || !socket.writable) return;
    if (offset >= text.length) {
      if (!loop) return;
      offset = 0;
    }
    const chunk = text.slice(offset, offset + bytesPerTick);
    offset += chunk.length;
    written += chunk.length;
    socket.write(chunk, encoding);
    timer = setTimeout(tick, intervalMs);
  };
  socket.once('connect', () => {
    if (prefix) {
      socket.write(prefix, encoding);
      written += prefix.length;
    }
    tick();
  });
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined); // a reset is an outcome too: `closed` reports it
  const closed = new Promise<SocketOutcome>((resolve) => {
    socket.once('close', () => {
      clearTimeout(timer);
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
      resolve({ closedAfterMs: Date.now() - started, received, status: match ? Number(match[1]) : undefined, bytesWritten: written });
    });
  });
  return {
    socket,
    closed,
    destroy: () => {
      clearTimeout(timer);
      socket.destroy();
    },
  };
}

/** Waits until the socket is connected (or failed). */
export function connected(client: RawClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.socket.connecting) return resolve();
    client.socket.once('connect', () => resolve());
    client.socket.once('close', () => resolve());
  });
}
