import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How the fake upstream answers one request. */
export type UpstreamBehaviour = (req: IncomingMessage, res: ServerResponse) => void;

/** Ready-made behaviours: fast, slow, hanging, failing, resetting. */
export const behave = {
  json:
    (body: unknown, status = 200): UpstreamBehaviour =>
    (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    },
  slow:
    (ms: number, body: unknown = { ok: true }): UpstreamBehaviour =>
    (req, res) => {
      const timer = setTimeout(() => behave.json(body)(req, res), ms);
      res.on('close', () => clearTimeout(timer));
    },
  /** Never answers; the socket stays open until the client gives up or the server closes. */
  hang: (): UpstreamBehaviour => () => undefined,
  status:
    (status: number, body = 'upstream internal detail: db01.internal:5432 password=hunter2'): UpstreamBehaviour =>
    (_req, res) => {
      res.writeHead(status, { 'content-type': 'text/plain', 'x-upstream-secret': 'db01.internal' });
      res.end(body);
    },
  /** Drops the connection without an answer (ECONNRESET / "other side closed" on the client). */
  reset: (): UpstreamBehaviour => (req) => req.socket.destroy(),
};

/**
 * A real HTTP server on 127.0.0.1 that a test controls: its behaviour can change between calls, and it counts
 * what a dependency would see — requests, open TCP connections now and at most, requests in progress at most.
 */
export class UpstreamServer {
  /** Requests received. */
  requests = 0;
  /** Requests received, by path. */
  readonly paths: string[] = [];
  /** Request headers received, in order. */
  readonly headers: IncomingMessage['headers'][] = [];
  /** TCP connections open now / at most since start (or `resetCounters()`). */
  openConnections = 0;
  maxOpenConnections = 0;
  /** Connections accepted in total. */
  connectionsAccepted = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private port = 0;

  constructor(public behaviour: UpstreamBehaviour = behave.json({ ok: true })) {
    this.server = createServer((req, res) => {
      this.requests++;
      this.paths.push(req.url ?? '');
      this.headers.push(req.headers);
      this.behaviour(req, res);
    });
    // Node's default would time out idle keep-alive sockets after 5 s; a hanging upstream keeps them forever.
    this.server.keepAliveTimeout = 60_000;
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 0;
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      this.connectionsAccepted++;
      this.openConnections++;
      this.maxOpenConnections = Math.max(this.maxOpenConnections, this.openConnections);
      socket.on('close', () => {
        this.sockets.delete(socket);
        this.openConnections--;
      });
    });
  }

  /** Listens on 127.0.0.1 on a free port. */
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  resetCounters(): void {
    this.requests = 0;
    this.paths.length = 0;
    this.headers.length = 0;
    this.connectionsAccepted = 0;
    this.maxOpenConnections = this.openConnections;
  }

  /** Stops listening and destroys every open connection (hanging ones included). */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A port on 127.0.0.1 with nothing listening (connection refused). */
export async function closedPortUrl(): Promise<string> {
  const server = await new UpstreamServer().start();
  const url = server.url;
  await server.stop();
  return url;
}
