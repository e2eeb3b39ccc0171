import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP forwarder on 127.0.0.1 that holds every connection until `open()`: clients connect, nothing reaches the target. */
export interface TcpGate {
  port: number;
  /** Resolves once `count` connections are being held. */
  held(count: number): Promise<void>;
  /** Connects every held connection (and every later one) to the target, in one go. */
  open(): void;
  close(): Promise<void>;
}

/** Gates 127.0.0.1:<port> in front of `target`. */
export async function startTcpGate(target: { host: string; port: number }): Promise<TcpGate> {
  const sockets = new Set<Socket>();
  const waiting: Array<() => void> = [];
  const heldWaiters: Array<{ count: number; resolve: () => void }> = [];
  let opened = false;
  let heldCount = 0;

  const forward = (client: Socket): void => {
    const upstream = connect(target.port, target.host);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => undefined);
    client.pipe(upstream).pipe(client);
    client.resume();
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (opened) return forward(client);
    // Bytes the client sends meanwhile stay in the socket's buffer until it is piped on.
    client.pause();
    waiting.push(() => forward(client));
    heldCount += 1;
    for (const waiter of heldWaiters.filter((w) => heldCount >= w.count)) {
      heldWaiters.splice(heldWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    held: (count) => (heldCount >= count ? Promise.resolve() : new Promise((resolve) => heldWaiters.push({ count, resolve }))),
    open: () => {
      opened = true;
      waiting.splice(0).forEach((release) => release());
    },
    close: async () => {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closing;
    },
  };
}
