import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { type FaultProxy, startFaultProxy } from '../utils/fault-proxy';

/** An echo server: every byte sent comes back. */
async function startEcho(): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** Connects to the proxy; resolves with the socket or rejects with the connect error (e.g. ECONNREFUSED). */
async function dial(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await Promise.race([once(socket, 'connect'), once(socket, 'error').then(([err]) => Promise.reject(err as Error))]);
  return socket;
}

/** Collects what arrives on `socket` for `ms`, or until `expected` bytes arrived. */
async function received(socket: Socket, ms: number, expected = Infinity): Promise<string> {
  let text = '';
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      resolve(text);
    };
    const onData = (data: Buffer) => {
      text += data.toString();
      if (text.length >= expected) done();
    };
    const timer = setTimeout(done, ms);
    socket.on('data', onData);
  });
}

/** Resolves with the error code a socket ends with ('' for a clean close). */
async function ending(socket: Socket): Promise<string> {
  let code = '';
  socket.on('error', (err: NodeJS.ErrnoException) => (code = err.code ?? 'error'));
  // not events.once: it rejects on 'error', and the error is what this waits for
  if (!socket.closed) await new Promise((resolve) => socket.once('close', resolve));
  return code;
}

describe('startFaultProxy', () => {
  let echo: Server;
  let proxy: FaultProxy;
  const open: Socket[] = [];
  const track = (socket: Socket) => (open.push(socket), socket);

  beforeAll(async () => {
    echo = await startEcho();
  });
  beforeEach(async () => {
    proxy = await startFaultProxy({ host: '127.0.0.1', port: (echo.address() as AddressInfo).port });
  });
  afterEach(async () => {
    for (const socket of open.splice(0)) socket.destroy();
    await proxy.close();
  });
  afterAll(() => {
    echo.close();
  });

  it('forwards both directions in pass mode and counts open connections', async () => {
    const socket = track(await dial(proxy.port));
    socket.write('ping');
    expect(await received(socket, 2000, 4)).toBe('ping');
    expect(proxy.openConnections).toBe(1);
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(proxy.openConnections).toBe(0);
  });

  it('hold buffers the bytes and delivers all of them, in order, when the mode goes back to pass', async () => {
    const socket = track(await dial(proxy.port));
    await proxy.setMode('hold');
    socket.write('one,');
    socket.write('two');
    expect(await received(socket, 300)).toBe('');
    const later = received(socket, 2000, 7);
    await proxy.setMode('pass');
    expect(await later).toBe('one,two');
  });

  it('blackhole drops bytes on existing connections for good, accepts new ones that get nothing, and pass serves new ones', async () => {
    const before = track(await dial(proxy.port));
    await proxy.setMode('blackhole');
    before.write('lost');
    const during = track(await dial(proxy.port));
    during.write('lost too');
    expect(await received(during, 300)).toBe('');
    await proxy.setMode('pass');
    before.write('still lost');
    expect(await received(before, 300)).toBe('');
    expect(before.destroyed).toBe(false);
    const after = track(await dial(proxy.port));
    after.write('ok');
    expect(await received(after, 2000, 2)).toBe('ok');
  });

  it('blackhole with acceptNew false refuses new connections but keeps the existing ones open', async () => {
    const before = track(await dial(proxy.port));
    await proxy.setMode('blackhole', { acceptNew: false });
    await expect(dial(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(before.destroyed).toBe(false);
    expect(proxy.openConnections).toBe(1);
  });

  it('reset sends RST on open connections and on every new one', async () => {
    const before = track(await dial(proxy.port));
    const ended = ending(before);
    await proxy.setMode('reset');
    expect(await ended).toBe('ECONNRESET');
    const fresh = connect(proxy.port, '127.0.0.1');
    track(fresh);
    expect(await ending(fresh)).toBe('ECONNRESET');
    expect(proxy.openConnections).toBe(0);
  });

  it('latency delays each chunk by latencyMs in each direction', async () => {
    const socket = track(await dial(proxy.port));
    await proxy.setMode('latency', { latencyMs: 150 });
    const started = Date.now();
    socket.write('slow');
    expect(await received(socket, 3000, 4)).toBe('slow');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('refuse closes the port and the open connections; pass listens again on the same port', async () => {
    const { port } = proxy;
    const before = track(await dial(port));
    const ended = ending(before);
    await proxy.setMode('refuse');
    await ended;
    expect(before.destroyed).toBe(true);
    await expect(dial(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await proxy.setMode('pass');
    expect(proxy.port).toBe(port);
    const after = track(await dial(port));
    after.write('back');
    expect(await received(after, 2000, 4)).toBe('back');
  });
});
