import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './app-process';

/** The machine's (or CI's) Redis; tests never stop it. */
export const SHARED_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A throwaway `redis-server` child this test owns: it may stop, pause and restart it. */
export interface RedisServer {
  port: number;
  url: string;
  /** Stops the server (SIGTERM, then waits for exit). */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: it keeps no data). */
  restart(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  /** Unfreezes it (SIGCONT). */
  resume(): void;
}

/** True when `url` answers PING within a second. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function redisServerBinary(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts a throwaway `redis-server` on a free port (no persistence). Fails loudly when the binary is
 * missing: Redis-backed tests must not pass without Redis.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const binary = redisServerBinary();
  if (!binary) throw new Error('redis-server is not installed: the Redis rate-limit tests need it (apt-get install redis-server)');
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await redisAnswers(url)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not answer on port ${port}`);
  };
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    running.kill('SIGCONT');
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    port,
    url,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
  };
}

/**
 * The Redis the shared-state tests use: the one on 127.0.0.1:6379 (CI starts it), else a throwaway
 * server when the binary exists, else an error saying why the tests cannot run.
 */
export async function sharedRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  if (await redisAnswers(SHARED_REDIS_URL)) return { url: SHARED_REDIS_URL, stop: () => Promise.resolve() };
  process.stdout.write(`[tests] Redis: nothing answers at ${SHARED_REDIS_URL}; starting a throwaway redis-server\n`);
  return startRedisServer();
}
