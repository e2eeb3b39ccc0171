import { Injectable } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { Server as NetServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DRAIN_POLL_MS, IDLE_CONNECTION_GRACE_MS } from './lifecycle.constants';

/** What the drain knows about one client connection. */
interface ConnectionState {
  readonly socket: Socket;
  /** Responses on this connection not finished yet: usually none or one, more only with HTTP pipelining. */
  responses: ServerResponse[];
  /** `socket.bytesRead` when the connection last became idle: more means a request is arriving. */
  bytesReadWhenIdle: number;
  /** Monotonic time since which the connection has been idle and quiet. */
  quietSince: number;
}

const CONNECTION = Symbol('ballast:drain-connection');
/** A tracked response knows its connection's state until it closes. */
type TrackedResponse = ServerResponse & { [CONNECTION]?: ConnectionState };

/** What draining the HTTP server came to. */
export interface DrainReport {
  /** Requests that finished after shutdown began. */
  completed: number;
  /** Requests still in flight at the drain deadline, whose connections were destroyed. */
  cut: number;
  durationMs: number;
}

/**
 * The HTTP side of a graceful shutdown, hand-written because Node's `server.close()` (and the libraries
 * built on it) destroys idle keep-alive connections at once (Node >= 19), resetting one whose next request
 * is already on the wire. This tracks the server's connections and in-flight responses itself:
 * - {@link handle} (edge slot 2) counts each request and, once shutdown began, sets `Connection: close`
 *   so Node closes the connection after the response and the client moves elsewhere without a reset;
 * - {@link closeAfterResponses} does the same for responses already in flight when shutdown began;
 * - {@link stopAccepting} closes only the listening socket;
 * - {@link drain} waits for in-flight requests, closes connections that stay quiet for
 *   {@link IDLE_CONNECTION_GRACE_MS}, and destroys what is left at the deadline.
 */
@Injectable()
export class HttpDrain {
  private server: Server | undefined;
  private readonly connections = new Map<Socket, ConnectionState>();
  /**
   * In-flight responses are listed on their connection, not in one Set: a long-lived Set that every
   * request enters and leaves made V8 promote ~7 KB of each request's objects to the old generation
   * (3 MB per scavenge at 4,000 req/s, and a full GC every few seconds); a connection's small array does not.
   * This Set only holds responses whose socket was not seen connecting (attach() called late; tests).
   */
  private readonly unattached = new Set<ServerResponse>();
  private inFlightCount = 0;
  private closing = false;
  private completedSinceClosing = 0;

  /** Starts tracking the server's connections; call before it listens. */
  attach(server: Server): void {
    if (this.server === server) return;
    this.server = server;
    server.on('connection', (socket: Socket) => {
      this.connections.set(socket, { socket, responses: [], bytesReadWhenIdle: socket.bytesRead, quietSince: performance.now() });
      socket.once('close', () => this.connections.delete(socket));
    });
  }

  /** Edge handler (slot 2): plain Node `(req, res, next)`. */
  readonly handle = (_req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    this.track(res);
    next();
  };

  /** For a response answered outside the tracked pipeline (an admission refusal): `Connection: close` once shutdown began. */
  markIfClosing(res: ServerResponse): void {
    if (this.closing) markClose(res);
  }

  /** Requests whose response has not finished. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Open client connections. */
  get openConnections(): number {
    return this.connections.size;
  }

  /** From now on every response carries `Connection: close`, including those already in flight. */
  closeAfterResponses(): void {
    this.closing = true;
    for (const connection of this.connections.values()) for (const res of connection.responses) markClose(res);
    for (const res of this.unattached) markClose(res);
  }

  /**
   * Stops accepting connections, leaving the open ones alone. Deferred to `setImmediate` so the event loop's
   * poll phase first accepts connections the kernel already completed (closing the listening socket resets
   * whatever is still in its accept queue).
   */
  async stopAccepting(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        // net.Server#close, not http.Server#close: the latter also destroys idle connections at once.
        NetServer.prototype.close.call(server);
        resolve();
      }),
    );
  }

  /**
   * Waits until every connection is gone or `timeoutMs` passed. Meanwhile a connection closes after its
   * response (`Connection: close`) or, when it carries no request, once it stayed quiet for the grace.
   * At the deadline the remaining connections are destroyed and their requests counted as cut.
   */
  async drain(timeoutMs: number): Promise<DrainReport> {
    this.closeAfterResponses();
    const started = performance.now();
    const deadline = started + timeoutMs;
    // Every idle connection gets the full grace from here, however long it was idle before.
    for (const connection of this.connections.values()) connection.quietSince = started;
    while (this.connections.size > 0 && performance.now() < deadline) {
      this.closeQuietConnections();
      await sleep(Math.max(1, Math.min(DRAIN_POLL_MS, deadline - performance.now())));
    }
    const cut = this.inFlightCount;
    const remaining = [...this.connections.keys()];
    const closed = remaining.map((socket) => once(socket, 'close'));
    for (const socket of remaining) socket.destroy();
    await Promise.all(closed);
    return { completed: this.completedSinceClosing, cut, durationMs: Math.round(performance.now() - started) };
  }

  private track(res: ServerResponse): void {
    const socket = res.socket;
    const connection = socket ? this.connections.get(socket) : undefined;
    if (this.closing) markClose(res);
    this.inFlightCount++;
    if (connection) {
      connection.responses.push(res);
      (res as TrackedResponse)[CONNECTION] = connection;
    } else {
      this.unattached.add(res);
    }
    // 'close' fires once per response: `on`, not `once` (which wraps the listener per call).
    res.on('close', this.onClose);
  }

  /** One listener function for every response (`this` is the response): no closure per request. */
  private readonly onClose = ((drain: HttpDrain) =>
    function (this: TrackedResponse) {
      drain.untrack(this);
    })(this);

  private untrack(res: TrackedResponse): void {
    this.inFlightCount--;
    if (this.closing) this.completedSinceClosing++;
    const connection = res[CONNECTION];
    if (!connection) {
      this.unattached.delete(res);
      return;
    }
    res[CONNECTION] = undefined;
    const { responses } = connection;
    if (responses[0] === res) responses.shift();
    else responses.splice(responses.indexOf(res), 1);
    // res.socket is already detached here: the connection keeps its own.
    connection.bytesReadWhenIdle = connection.socket.bytesRead;
    connection.quietSince = performance.now();
  }

  private closeQuietConnections(): void {
    const now = performance.now();
    for (const [socket, connection] of this.connections) {
      if (connection.responses.length > 0) continue;
      if (socket.bytesRead !== connection.bytesReadWhenIdle) {
        // Bytes arrived since the last response: a request is on its way (maybe headers only so far).
        connection.bytesReadWhenIdle = socket.bytesRead;
        connection.quietSince = now;
      } else if (now - connection.quietSince >= IDLE_CONNECTION_GRACE_MS) {
        socket.destroy();
      }
    }
  }
}

/** Node then ends the connection once this response is written (`res._last`). */
function markClose(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
}
