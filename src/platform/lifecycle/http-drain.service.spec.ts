import { Agent, createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpDrain } from './http-drain.service';
import { IDLE_CONNECTION_GRACE_MS } from './lifecycle.constants';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 whose requests pass through the drain's edge handler first. */
async function startServer(handler: Handler = (_req, res) => res.end('ok')): Promise<{ server: Server; drain: HttpDrain; port: number }> {
  const drain = new HttpDrain();
  const server = createServer((req, res) => drain.handle(req, res, () => handler(req, res)));
  drain.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, drain, port: (server.address() as AddressInfo).port };
}

/** Opens a raw TCP connection and resolves once the server has accepted it. */
async function acceptedConnection(server: Server, port: number): Promise<Socket> {
  const accepted = new Promise<void>((resolve) => server.once('connection', () => resolve()));
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await accepted;
  return socket;
}

/** Collects what arrives on a raw socket until the server closes it; `reset` if it ended in an error. */
function readUntilClosed(socket: Socket): Promise<{ text: string; reset: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    let reset = false;
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('error', () => (reset = true));
    socket.on('close', () => resolve({ text, reset }));
  });
}

const REQUEST = 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n';

/** A keep-alive connection that has had one request answered and is now idle, and what it will have read when closed. */
async function idleKeepAlive(server: Server, port: number): Promise<{ socket: Socket; result: Promise<{ text: string; reset: boolean }> }> {
  const socket = await acceptedConnection(server, port);
  const result = readUntilClosed(socket);
  socket.write(REQUEST);
  while (!socket.bytesRead) await sleep(5);
  return { socket, result };
}

describe(HttpDrain.name, () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("Node's own server.close() drops an idle keep-alive connection whose next request is on the wire (why HttpDrain exists)", async () => {
    const { server, port } = await startServer();
    servers.push(server);
    const { socket, result } = await idleKeepAlive(server, port);
    server.close();
    socket.write(REQUEST);
    const { text } = await result;
    expect(text.match(/HTTP\/1\.1 200/g)).toHaveLength(1);
  });

  it('stops accepting but answers the next request of an idle keep-alive connection within the grace, with Connection: close', async () => {
    const { server, drain, port } = await startServer();
    servers.push(server);
    const { socket, result } = await idleKeepAlive(server, port);
    await drain.stopAccepting();
    const draining = drain.drain(10_000);
    await sleep(IDLE_CONNECTION_GRACE_MS / 3);
    socket.write(REQUEST);
    const { text, reset } = await result;
    expect(text.match(/HTTP\/1\.1 200/g)).toHaveLength(2);
    expect(text).toMatch(/Connection: keep-alive[\s\S]*Connection: close/i);
    expect(reset).toBe(false);
    expect((await draining).cut).toBe(0);
  });

  it('stops accepting but answers a just-accepted connection whose request arrives afterwards, with Connection: close', async () => {
    const { server, drain, port } = await startServer();
    servers.push(server);
    const socket = await acceptedConnection(server, port);
    const result = readUntilClosed(socket);
    drain.closeAfterResponses();
    await drain.stopAccepting();
    const draining = drain.drain(10_000);

    const refused = await new Promise<string>((resolve) => {
      const late = connect(port, '127.0.0.1');
      late.on('connect', () => resolve('connected'));
      late.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');

    await sleep(300);
    socket.write(REQUEST);
    const { text, reset } = await result;
    expect(text).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
    expect(reset).toBe(false);
    expect(await draining).toEqual(expect.objectContaining({ cut: 0, completed: 1 }));
  });

  it('sets Connection: close on a response already in flight when shutdown began, and the connection closes after it', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { server, drain, port } = await startServer((_req, res) => void released.then(() => res.end('slow')));
    servers.push(server);
    const agent = new Agent({ keepAlive: true });
    const response = new Promise<IncomingMessage>((resolve, reject) =>
      get({ port, host: '127.0.0.1', agent }, resolve).on('error', reject),
    );
    while (drain.inFlight === 0) await sleep(5);

    drain.closeAfterResponses();
    release();
    const res = await response;
    res.resume();
    expect(res.statusCode).toBe(200);
    expect(res.headers.connection).toBe('close');
    const report = await drain.drain(5000);
    expect(report).toEqual(expect.objectContaining({ cut: 0, completed: 1 }));
    expect(report.durationMs).toBeLessThan(IDLE_CONNECTION_GRACE_MS);
    agent.destroy();
  });

  it('closes an idle keep-alive connection once it stayed quiet for the grace, not before', async () => {
    const { server, drain, port } = await startServer();
    servers.push(server);
    const { result } = await idleKeepAlive(server, port);

    await drain.stopAccepting();
    const report = await drain.drain(10_000);
    expect(report.cut).toBe(0);
    expect(report.durationMs).toBeGreaterThanOrEqual(IDLE_CONNECTION_GRACE_MS - 50);
    expect(report.durationMs).toBeLessThan(IDLE_CONNECTION_GRACE_MS + 2000);
    expect((await result).reset).toBe(false);
  });

  it('keeps a connection open while its request headers are still arriving, beyond the grace', async () => {
    const { server, drain, port } = await startServer();
    servers.push(server);
    const socket = await acceptedConnection(server, port);
    const result = readUntilClosed(socket);
    await drain.stopAccepting();
    const draining = drain.drain(10_000);
    const pieces = ['GET / HTTP/1.1\r\n', 'Host: localhost\r\n', 'X-Slow: 1\r\n', 'X-Slower: 2\r\n', '\r\n'];
    for (const piece of pieces) {
      socket.write(piece);
      await sleep(IDLE_CONNECTION_GRACE_MS / 2);
    }
    expect((await result).text).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*Connection: close/i);
    expect((await draining).cut).toBe(0);
  });

  it('cuts the requests still in flight at the deadline and reports them', async () => {
    const { server, drain, port } = await startServer(() => undefined);
    servers.push(server);
    const failed = new Promise<string>((resolve) =>
      get({ port, host: '127.0.0.1' }, () => resolve('answered')).on('error', (error: NodeJS.ErrnoException) =>
        resolve(error.code ?? error.message),
      ),
    );
    while (drain.inFlight === 0) await sleep(5);

    await drain.stopAccepting();
    const report = await drain.drain(300);
    expect(report.cut).toBe(1);
    expect(report.durationMs).toBeGreaterThanOrEqual(290);
    expect(await failed).toBe('ECONNRESET');
    expect(drain.openConnections).toBe(0);
  });
});
