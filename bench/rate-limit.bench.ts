import { ConfigService } from '@nestjs/config';
/**
 * Rate-limit overhead, measured in one run on one machine (numbers only compare with each other):
 *   1. memory and time per request of the in-process store holding 100,000 distinct clients;
 *   2. the guards alone (`canActivate` in a loop);
 *   3. the same route over HTTP with no guard, a no-op guard, RateLimitGuard (in-process and Redis
 *      stores) and the stock ThrottlerGuard: one server process per variant, the load from another
 *      (autocannon), limits high enough that nothing is refused (the pass path).
 * Run: `npm run bench:rate-limit` (BENCH_DURATION_S, BENCH_ROUNDS; REDIS_URL, default
 * redis://127.0.0.1:6379, for the Redis variant).
 */
import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  type INestApplication,
  Module,
  type ModuleMetadata,
} from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_GUARD, NestFactory, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { getOptionsToken, getStorageToken, ThrottlerGuard, ThrottlerModule, ThrottlerStorageService } from '@nestjs/throttler';
import { Counter } from 'prom-client';
import { Redis } from 'ioredis';
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load-config';
import { ErrorsModule } from '../src/platform/errors/errors.module';
import { configureHttpServer } from '../src/platform/http-server/configure-http-server';
import { MetricsModule } from '../src/platform/observability/metrics.module';
import { MemoryTokenBucketStorage } from '../src/platform/rate-limit/memory-token-bucket.storage';
import { RateLimitGuard } from '../src/platform/rate-limit/rate-limit.guard';
import { ExemptPaths } from '../src/platform/resilience/exempt-paths';
import { RateLimitModule } from '../src/platform/rate-limit/rate-limit.module';
import { edgeModules } from '../test/utils/edge-modules';

/** The part of autocannon's JSON result used here, plus the server's CPU time per request. */
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  cpuUsPerRequest: number;
}

const AUTOCANNON = join(__dirname, '..', '..', '..', 'node_modules', 'autocannon', 'autocannon.js');

/** A variant's server, running in its own process. */
interface Server {
  name: string;
  url: string;
  child: ChildProcess;
}

/** Asks a server process for its CPU time so far (µs). */
async function cpuOf(server: Server): Promise<number> {
  server.child.send('cpu');
  const [message] = (await once(server.child, 'message')) as [{ cpu: NodeJS.CpuUsage }];
  return message.cpu.user + message.cpu.system;
}

/**
 * Loads a server from a third process and measures the server's CPU time per request: far less sensitive
 * than req/s to other work on a shared machine.
 */
async function load(server: Server, durationS: number): Promise<AutocannonResult> {
  const cpuBefore = await cpuOf(server);
  const child = spawn(process.execPath, [AUTOCANNON, '-c', String(CONNECTIONS), '-d', String(durationS), '-j', server.url], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await once(child, 'exit');
  const cpu = (await cpuOf(server)) - cpuBefore;
  const result = JSON.parse(out) as AutocannonResult;
  result.cpuUsPerRequest = cpu / Math.max(1, result.requests.total);
  return result;
}

const DURATION_S = Number(process.env['BENCH_DURATION_S'] ?? 3);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 8);
const CONNECTIONS = 50;
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A global guard that admits everything: what having any guard at all costs in Nest. */
class AdmitAllGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@Controller('bench')
class BenchController {
  @Get()
  get() {
    return { ok: true };
  }
}

async function boot(name: string, imports: ModuleMetadata['imports'], providers: ModuleMetadata['providers'], env: Record<string, string>) {
  const config = loadConfig({ LOG_LEVEL: 'warn', RATE_LIMIT_PER_SECOND: '1000000', RATE_LIMIT_BURST: '10000000', ...env });
  @Module({
    imports: [
      ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => config] }),
      ErrorsModule,
      MetricsModule,
      ...edgeModules(),
      ...(imports ?? []),
    ],
    controllers: [BenchController],
    providers,
  })
  class BenchModule {}
  const app = await NestFactory.create<NestExpressApplication>(BenchModule, { bodyParser: false, logger: ['error', 'warn'] });
  configureHttpServer(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { name, app: app as INestApplication, url: `http://127.0.0.1:${port}/bench` };
}

/** The variants compared: the same route, with no guard, a no-op guard, ours (two stores), the stock one. */
const VARIANTS: Record<
  string,
  { name: string; imports: ModuleMetadata['imports']; providers: ModuleMetadata['providers']; env: Record<string, string> }
> = {
  none: { name: 'no guard', imports: [], providers: [], env: {} },
  noop: {
    name: 'a global guard that admits all (Nest baseline)',
    imports: [],
    providers: [{ provide: APP_GUARD, useClass: AdmitAllGuard }],
    env: {},
  },
  memory: { name: 'RateLimitGuard, in-process token buckets', imports: [RateLimitModule.forRoot()], providers: [], env: {} },
  redis: { name: 'RateLimitGuard, Redis token buckets', imports: [RateLimitModule.forRoot()], providers: [], env: { REDIS_URL } },
  stock: {
    name: 'stock ThrottlerGuard + stock memory storage',
    imports: [ThrottlerModule.forRoot([{ limit: 1e9, ttl: 60_000 }])],
    providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    env: {},
  },
};

/** In a server process: boots one variant, reports its port, answers CPU-time questions until told to stop. */
async function serve(key: string): Promise<void> {
  const variant = VARIANTS[key];
  if (!variant) throw new Error(`unknown variant ${key}`);
  const { app, url } = await boot(variant.name, variant.imports, variant.providers, variant.env);
  process.on('message', (message) => {
    if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
    if (message === 'stop') void app.close().then(() => process.exit(0));
  });
  process.send?.({ url });
}

async function startServer(key: string): Promise<Server> {
  const child = fork(__filename, ['serve', key], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const [message] = (await once(child, 'message')) as [{ url: string }];
  return { name: VARIANTS[key]?.name ?? key, url: message.url, child };
}

async function throughput(): Promise<void> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  const redisUp = await probe.connect().then(
    () => true,
    () => false,
  );
  probe.disconnect();
  if (!redisUp) process.stdout.write(`Redis not reachable at ${REDIS_URL}: Redis variant skipped\n`);
  // One process per variant, all started up front (idle while another is loaded); rounds interleave them
  // and each is compared with the no-guard run of the same round, so drifts of other load cancel out.
  const servers: Server[] = [];
  for (const key of Object.keys(VARIANTS)) if (key !== 'redis' || redisUp) servers.push(await startServer(key));
  for (const server of servers) await load(server, 1); // warm-up (JIT, connections)
  const results = new Map<string, AutocannonResult[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const server of servers) results.set(server.name, [...(results.get(server.name) ?? []), await load(server, DURATION_S)]);
  }
  for (const { child } of servers) {
    child.send('stop');
    await once(child, 'exit');
  }
  process.stdout.write(
    `\nGET /bench, ${CONNECTIONS} connections, ${DURATION_S} s x ${ROUNDS} interleaved rounds (one client: 127.0.0.1); per round vs no guard, median\n`,
  );
  const base = results.get(VARIANTS['none']?.name ?? '') ?? [];
  for (const [name, runs] of results) {
    const ratio = median(runs.map((r, i) => r.requests.average / (base[i]?.requests.average ?? NaN)));
    const cpuDelta = median(runs.map((r, i) => r.cpuUsPerRequest - (base[i]?.cpuUsPerRequest ?? NaN)));
    const non2xx = runs.reduce((n, r) => n + r.non2xx + r.errors, 0);
    process.stdout.write(
      `${name.padEnd(48)} ${median(runs.map((r) => r.requests.average))
        .toFixed(0)
        .padStart(6)} req/s  ${((ratio - 1) * 100).toFixed(0).padStart(4)}% throughput  ` +
        `server CPU ${median(runs.map((r) => r.cpuUsPerRequest))
          .toFixed(0)
          .padStart(4)} us/req (${cpuDelta >= 0 ? '+' : ''}${cpuDelta.toFixed(0)})  ` +
        `p99 ${median(runs.map((r) => r.latency.p99))} ms  non-2xx ${non2xx}  rounds: ${runs.map((r) => r.requests.average.toFixed(0)).join(', ')}\n`,
    );
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function memory(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const clients = 100_000;
  // Built as in production: a flat address string (as Node gives it), then the guard's `${policy}:ip:${address}`.
  const keyOf = (i: number) => {
    const address = [10, (i >> 16) & 255, (i >> 8) & 255, i & 255].join('.');
    const tracker = `ip:${address}`;
    return `default:${tracker}`;
  };
  gc();
  const before = process.memoryUsage().heapUsed;
  // 10/s, burst 30 (the defaults); cap above the client count so every bucket stays.
  const store = new MemoryTokenBucketStorage({ maxKeys: 2 * clients + 2 });
  const started = performance.now();
  for (let i = 0; i < clients; i++) store.take(keyOf(i), 100, 30);
  const insertNs = ((performance.now() - started) * 1e6) / clients;
  gc();
  const after = process.memoryUsage().heapUsed;
  const keys = Array.from({ length: clients }, (_, i) => keyOf(i));
  const hot = performance.now();
  const rounds = 10;
  for (let r = 0; r < rounds; r++) for (const key of keys) store.take(key, 100, 30);
  const takeNs = ((performance.now() - hot) * 1e6) / (rounds * clients);
  const bytes = after - before;
  process.stdout.write(
    `\nIn-process store, ${clients} distinct clients: ${store.size} buckets, heap +${(bytes / 1024 / 1024).toFixed(1)} MiB ` +
      `(${(bytes / clients).toFixed(0)} B per client, key strings included); ${insertNs.toFixed(0)} ns per new client, ` +
      `${takeNs.toFixed(0)} ns per request of a known client\n`,
  );
}

/** What a guard sees of a request: enough of ExecutionContext for the throttler guards. */
function fakeContext(): ExecutionContext {
  const req = { ip: '127.0.0.1', url: '/bench', headers: {} };
  const headers = new Map<string, unknown>();
  const res = {
    getHeader: (n: string) => headers.get(n),
    setHeader: (n: string, v: unknown) => headers.set(n, v),
    header: (n: string, v: unknown) => headers.set(n, v),
  };
  const http = { getRequest: () => req, getResponse: () => res, getNext: () => undefined };
  return {
    getType: () => 'http',
    getHandler: () => BenchController.prototype.get,
    getClass: () => BenchController,
    switchToHttp: () => http,
  } as unknown as ExecutionContext;
}

async function perCall(guard: CanActivate, calls: number): Promise<number> {
  const context = fakeContext();
  const started = performance.now();
  for (let i = 0; i < calls; i++) await guard.canActivate(context);
  return ((performance.now() - started) * 1000) / calls;
}

/** The guards alone, without HTTP: microseconds per `canActivate` for one busy client. */
async function guardCost(): Promise<void> {
  const { app } = await boot('guard', [RateLimitModule.forRoot()], [], {});
  const reflector = app.get(Reflector);
  const counter = new Counter({ name: 'bench_rejected', help: 'bench', labelNames: ['reason'], registers: [] });
  const ours = new RateLimitGuard(
    app.get(getOptionsToken()),
    app.get(getStorageToken()),
    counter,
    app.get(ConfigService),
    app.get(ExemptPaths),
  );
  const stock = new ThrottlerGuard([{ limit: 1e9, ttl: 60_000 }], new ThrottlerStorageService(), reflector);
  await ours.onModuleInit();
  await stock.onModuleInit();
  await perCall(ours, 20_000); // warm-up
  const oursUs = await perCall(ours, 200_000);
  const stockFirst = await perCall(stock, 2_000);
  await perCall(stock, 16_000);
  const stockLater = await perCall(stock, 2_000);
  await app.close();
  process.stdout.write(
    `\nGuard alone (canActivate, one client): RateLimitGuard + in-process store ${oursUs.toFixed(1)} us/call; ` +
      `stock ThrottlerGuard + stock storage ${stockFirst.toFixed(1)} us/call for the first 2,000 hits, ${stockLater.toFixed(1)} us/call after 18,000 (hits kept 60 s)\n`,
  );
}

async function main(): Promise<void> {
  memory();
  await guardCost();
  await throughput();
}

(process.argv[2] === 'serve' ? serve(process.argv[3] ?? '') : main()).then(
  () => process.argv[2] === 'serve' || process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
