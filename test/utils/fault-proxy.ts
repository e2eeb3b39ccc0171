import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

// Hand-written: no well-kept npm library switches hold/blackhole/reset on live connections; toxiproxy is a Go binary.

/** What the proxy does to the bytes and connections passing through it. */
export type FaultMode = 'pass' | 'hold' | 'blackhole' | 'reset' | 'latency' | 'refuse';

/** A TCP forwarder on 127.0.0.1 in front of one dependency, with faults switchable mid-test. */
export interface FaultProxy {
  /** Stable across modes (refuse closes the listener, pass re-listens on the same port). */
  readonly port: number;
  readonly mode: FaultMode;
  /** hold: stop delivering in both directions, buffer, deliver everything when the mode leaves hold (TCP retransmission after a short partition).
   *  blackhole: bytes on existing connections are dropped for good; opts.acceptNew (default true) accepts new connections (which then also get nothing) or refuses them.
   *  reset: RST every open connection (socket.resetAndDestroy()) and every new one.
   *  latency: add opts.latencyMs per chunk, each direction.
   *  refuse: port closed (listener closed, existing connections destroyed). */
  setMode(mode: FaultMode, opts?: { latencyMs?: number; acceptNew?: boolean }): Promise<void>;
  /** Connections currently open through the proxy. */
  readonly openConnections: number;
  /** Connections accepted since the start (also those reset or black-holed at once). */
  readonly acceptedConnections: number;
  close(): Promise<void>;
}

interface Chunk {
  data: Buffer;
  /** Earliest delivery time (ms since epoch); 0 = as soon as the mode lets it through. */
  due: number;
}

/** One direction of one forwarded connection: an ordered queue so latency and hold never reorder bytes. */
class Direction {
  private readonly queue: Chunk[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly to: Socket,
    private readonly state: () => { mode: FaultMode; latencyMs: number; dead: boolean },
  ) {}

  push(data: Buffer): void {
    const { mode, latencyMs, dead } = this.state();
    if (dead || mode === 'blackhole') return;
    this.queue.push({ data, due: mode === 'latency' ? Date.now() + latencyMs : 0 });
    this.pump();
  }

  drop(): void {
    this.queue.length = 0;
    this.clearTimer();
  }

  pump(): void {
    const { mode, dead } = this.state();
    if (dead) return this.drop();
    if (mode === 'hold') return this.clearTimer();
    const now = Date.now();
    while (this.queue.length > 0 && this.queue[0].due <= now) {
      const chunk = this.queue.shift() as Chunk;
      if (!this.to.destroyed) this.to.write(chunk.data);
    }
    this.clearTimer();
    if (this.queue.length > 0) {
      this.timer = setTimeout(() => this.pump(), this.queue[0].due - now);
    }
  }

  clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

interface Connection {
  client: Socket;
  upstream: Socket;
  directions: Direction[];
  /** Black-holed once: its bytes are dropped for good, whatever the mode becomes. */
  dead: boolean;
}

/** Starts a fault proxy on 127.0.0.1 (a free port) forwarding to `target`, in mode `pass`. */
export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const connections = new Set<Connection>();
  let mode: FaultMode = 'pass';
  let latencyMs = 0;
  let accepted = 0;
  let server: Server | undefined;
  let port = 0;

  const end = (conn: Connection): void => {
    if (!connections.delete(conn)) return;
    for (const direction of conn.directions) direction.drop();
    conn.client.destroy();
    conn.upstream.destroy();
  };

  const reset = (conn: Connection): void => {
    for (const direction of conn.directions) direction.drop();
    connections.delete(conn);
    if (!conn.client.destroyed) conn.client.resetAndDestroy();
    if (!conn.upstream.destroyed) conn.upstream.resetAndDestroy();
  };

  const onConnection = (client: Socket): void => {
    accepted += 1;
    client.on('error', () => undefined);
    if (mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    upstream.on('error', () => undefined);
    const conn: Connection = { client, upstream, directions: [], dead: mode === 'blackhole' };
    const state = () => ({ mode, latencyMs, dead: conn.dead });
    const toUpstream = new Direction(upstream, state);
    const toClient = new Direction(client, state);
    conn.directions.push(toUpstream, toClient);
    connections.add(conn);
    // Bytes written before the upstream connects are buffered by the socket itself.
    client.on('data', (data) => toUpstream.push(data));
    upstream.on('data', (data) => toClient.push(data));
    client.on('close', () => end(conn));
    upstream.on('close', () => end(conn));
  };

  const listen = async (): Promise<void> => {
    if (server) return;
    const next = createServer(onConnection);
    next.listen(port, '127.0.0.1');
    await once(next, 'listening');
    port = (next.address() as AddressInfo).port;
    server = next;
  };

  /** Stops accepting; the returned promise settles once the listening socket is closed (not the connections). */
  const unlisten = async (): Promise<void> => {
    const current = server;
    server = undefined;
    if (!current) return;
    current.close();
    // close() releases the port at once; its callback would wait for every accepted connection to end.
    await new Promise<void>((resolve) => setImmediate(resolve));
  };

  const setMode: FaultProxy['setMode'] = async (next, opts = {}) => {
    mode = next;
    latencyMs = opts.latencyMs ?? (next === 'latency' ? 100 : 0);
    switch (next) {
      case 'refuse':
        await unlisten();
        for (const conn of [...connections]) end(conn);
        return;
      case 'reset':
        for (const conn of [...connections]) reset(conn);
        await listen();
        return;
      case 'blackhole':
        for (const conn of connections) {
          conn.dead = true;
          for (const direction of conn.directions) direction.drop();
        }
        if (opts.acceptNew ?? true) await listen();
        else await unlisten();
        return;
      default:
        await listen();
        for (const conn of connections) for (const direction of conn.directions) direction.pump();
    }
  };

  await listen();
  return {
    get port() {
      return port;
    },
    get mode() {
      return mode;
    },
    get openConnections() {
      return connections.size;
    },
    get acceptedConnections() {
      return accepted;
    },
    setMode,
    async close() {
      await unlisten();
      for (const conn of [...connections]) end(conn);
    },
  };
}
