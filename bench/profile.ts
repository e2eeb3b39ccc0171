import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ballastEnv } from './lib/ballast-env';
import { startBenchIdentity } from './lib/identity';
import { attribute, type Attribution, type CpuProfile, type FunctionTime, type Window } from './lib/cpuprofile';
import { createBenchDatabase, pinDatabaseBackends, seedUsers } from './lib/database';
import { loadGenerator, runLoad } from './lib/load';
import { pinSelf, startTarget, type Target } from './lib/processes';

/**
 * `npm run bench:profile`: where Ballast's CPU per request goes, against bare NestJS. Starts both servers
 * under `node --cpu-prof` (core 0; this process and the load generator on core 1), warms each up, loads each
 * for BENCH_SECONDS on the DB read (PROFILE_PATH=/bench/json for the JSON route), PROFILE_ROUNDS times in
 * alternation, SIGTERMs them so V8 writes
 * the profiles, then attributes the samples taken during each measured load — warm-up and boot left out — to
 * functions, packages (node_modules/<pkg>, src/<folder>) and files, per request answered in that load.
 */
const ROOT = join(__dirname, '..', '..');
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 5);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const POOL = process.env['BENCH_POOL'] ?? '10';
/** Rows per table. */
const TOP = Number(process.env['PROFILE_TOP'] ?? 25);
/** Sampling interval, µs (V8's default is 1000): 250 gives 4 samples per ms for the small differences. */
const INTERVAL_US = Number(process.env['PROFILE_INTERVAL_US'] ?? 250);
const PROFILE_PATH = process.env['PROFILE_PATH'];
/** Measured loads per server, alternating bare, ballast, bare, ballast…, so drift of the machine hits both alike. */
const ROUNDS = Number(process.env['PROFILE_ROUNDS'] ?? 2);
/** Extra settings for Ballast only, `KEY=value` separated by spaces (e.g. a tracing endpoint and sampler). */
const settingsOf = (value: string | undefined): Record<string, string> =>
  Object.fromEntries(
    (value ?? '')
      .split(/\s+/)
      .filter((pair) => pair.includes('='))
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
const BALLAST_EXTRA = settingsOf(process.env['PROFILE_BALLAST_ENV']);
/**
 * Set: the baseline is Ballast itself with these settings instead of bare NestJS (e.g. `PROTECTIONS_DISABLED=rate_limit`),
 * so the diff shows where one protection's µs go. Its profile stays under `.bench/profiles/bare`.
 */
const BASE_BALLAST_ENV = process.env['PROFILE_BASE_BALLAST_ENV'];
const SERVER_CORE = 0;
const LOAD_CORE = 1;
const TARGETS = join(ROOT, 'dist-bench', 'bench', 'targets');
const PROFILES = join(ROOT, '.bench', 'profiles');

interface Profiled {
  key: 'ballast' | 'bare';
  name: string;
  dir: string;
  target: Target;
  /** The measured loads, one per round; the sums below are over all of them. */
  windows: Window[];
  requests: number;
  non2xx: number;
  /** Server CPU during the measured loads (/proc), µs: all threads, and the main thread alone. */
  procCpuUs: number;
  mainCpuUs: number;
}

/**
 * One server's profile in CPU µs per request. V8 samples wall time: a sample that is not "(idle)" counts its
 * whole interval, also while the thread waited for the core (preempted by the other processes on it). So the
 * busy samples are scaled to the main thread's CPU time over the same windows (/proc/<pid>/task/<pid>/stat):
 * a function's µs/req = its share of the busy samples × main-thread CPU µs / requests. Other threads' CPU
 * (libuv's pool, V8's GC helpers and compiler, the profiler's sampler) is not in the profile; it is shown apart.
 */
interface PerRequest {
  p: Profiled;
  a: Attribution;
  /** Main-thread CPU / busy sample time: below 1 when the thread was preempted, or the profile ran long. */
  scale: number;
  groups: Map<string, number>;
  files: Map<string, number>;
  functions: Array<FunctionTime & { usPerRequest: number }>;
  /** Per request, µs. */
  all: number;
  main: number;
  busyWall: number;
  idleWall: number;
}

function perRequest(p: Profiled, a: Attribution): PerRequest {
  const scale = p.mainCpuUs / a.busyUs;
  const per = (us: number) => (us * scale) / p.requests;
  const mapOf = (m: Map<string, number>) => new Map([...m].map(([k, us]) => [k, per(us)]));
  return {
    p,
    a,
    scale,
    groups: mapOf(a.groups),
    files: mapOf(a.files),
    functions: a.functions.map((fn) => ({ ...fn, usPerRequest: per(fn.selfUs) })),
    all: p.procCpuUs / p.requests,
    main: p.mainCpuUs / p.requests,
    busyWall: a.busyUs / p.requests,
    idleWall: a.idleUs / p.requests,
  };
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const f1 = (x: number) => x.toFixed(1);
const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)} %`;

function readProfile(dir: string): CpuProfile {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length !== 1) {
    throw new Error(
      `expected one .cpuprofile in ${dir}, found ${files.length}: the server must exit through process.exit for V8 to write it`,
    );
  }
  return JSON.parse(readFileSync(join(dir, files[0]), 'utf8')) as CpuProfile;
}

function section(r: PerRequest, path: string): string {
  const { p, a } = r;
  const pseudo = (name: string) => r.groups.get(name) ?? 0;
  const top = (m: Map<string, number>) => [...m.entries()].sort((x, y) => y[1] - x[1]).slice(0, TOP);
  return [
    `## ${p.name} — GET ${path}`,
    '',
    `${p.requests} requests in ${ROUNDS} × ${SECONDS} s (${Math.round(p.requests / (ROUNDS * SECONDS))} req/s, ${p.non2xx} non-2xx); ${a.samples} samples (every ~${INTERVAL_US} µs) in those windows.`,
    '',
    `- server CPU (/proc): **${f1(r.all)} µs/req**, of which the main thread ${f1(r.main)} and other threads ${f1(r.all - r.main)}`,
    `- main thread, profiled: busy samples ${f1(r.busyWall)} µs/req of wall time (idle ${f1(r.idleWall)}), scaled ×${r.scale.toFixed(2)} to its CPU time; ` +
      `of its ${f1(r.main)} µs/req: (program) ${f1(pseudo('(program)'))}, (garbage collector) ${f1(pseudo('(garbage collector)'))}, the rest JavaScript and native calls`,
    '',
    '| CPU µs/req (self) | share of main thread | package / folder |',
    '|---:|---:|---|',
    ...top(r.groups).map(([g, us]) => `| ${f1(us)} | ${pct(us, r.main)} | ${g} |`),
    '',
    '| CPU µs/req (self) | share of main thread | function | where |',
    '|---:|---:|---|---|',
    ...r.functions.slice(0, TOP).map((fn) => `| ${f1(fn.usPerRequest)} | ${pct(fn.usPerRequest, r.main)} | ${fn.name} | ${fn.file} |`),
  ].join('\n');
}

/** Ballast − bare, self CPU µs per request (each over its own requests), by key; largest additions first. */
function diff(title: string, bare: Map<string, number>, ballast: Map<string, number>): string {
  const rows = [...new Set([...bare.keys(), ...ballast.keys()])]
    .map((k) => ({ k, b: bare.get(k) ?? 0, o: ballast.get(k) ?? 0 }))
    .map((r) => ({ ...r, d: r.o - r.b }))
    .sort((x, y) => y.d - x.d);
  const sum = (xs: typeof rows, pick: (r: (typeof rows)[number]) => number) => xs.reduce((s, r) => s + pick(r), 0);
  const line = (xs: typeof rows, label: string) =>
    `| ${sum(xs, (r) => r.d) >= 0 ? '+' : ''}${f1(sum(xs, (r) => r.d))} | ${f1(sum(xs, (r) => r.b))} | ${f1(sum(xs, (r) => r.o))} | ${label} |`;
  // The largest additions, then the largest savings, then what is left, then the total.
  const up = rows.slice(0, TOP);
  const down = rows.slice(TOP).slice(-Math.min(5, Math.max(0, rows.length - TOP)));
  const rest = rows.slice(TOP, rows.length - down.length);
  return [
    `### ${title}`,
    '',
    '| Δ CPU µs/req | bare | ballast | |',
    '|---:|---:|---:|---|',
    ...[...up, ...down].map((r) => line([r], r.k)),
    ...(rest.length ? [line(rest, `(${rest.length} more)`)] : []),
    line(rows, '**main thread in all**'),
  ].join('\n');
}

async function main(): Promise<void> {
  if (PROFILE_PATH !== undefined && !PROFILE_PATH.startsWith('/'))
    throw new Error(`PROFILE_PATH=${PROFILE_PATH}: a path such as /bench/json`);
  pinSelf(LOAD_CORE);
  await startBenchIdentity();
  const db = await createBenchDatabase();
  const profiled: Profiled[] = [];
  const flags = (dir: string) => ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${INTERVAL_US}`];
  const start = async (name: string, key: Profiled['key'], script: string, env: Record<string, string>, readyPath: string) => {
    const dir = join(PROFILES, key);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const target = await startTarget(name, script, env, SERVER_CORE, readyPath, flags(dir));
    const p: Profiled = { key, name, dir, target, windows: [], requests: 0, non2xx: 0, procCpuUs: 0, mainCpuUs: 0 };
    profiled.push(p);
    return p;
  };
  let path: string;
  try {
    // Ballast first: it migrates the schema bare reads.
    const ballast = await start(
      'ballast (everything on)',
      'ballast',
      join(TARGETS, 'ballast-bench.js'),
      { ...ballastEnv(db.url, POOL, CONNECTIONS), ...BALLAST_EXTRA },
      '/api/v1/users',
    );
    const dbPath = `/api/v1/users/${await seedUsers(db.url, 1000)}`;
    path = PROFILE_PATH ?? dbPath;
    const bare =
      BASE_BALLAST_ENV === undefined
        ? await start('bare NestJS + TypeORM', 'bare', join(TARGETS, 'bare-nest.js'), { DATABASE_URL: db.url, DB_POOL_MAX: POOL }, dbPath)
        : await start(
            `ballast with ${BASE_BALLAST_ENV}`,
            'bare',
            join(TARGETS, 'ballast-bench.js'),
            { ...ballastEnv(db.url, POOL, CONNECTIONS), ...BALLAST_EXTRA, ...settingsOf(BASE_BALLAST_ENV) },
            dbPath,
          );
    for (const p of [bare, ballast]) await runLoad({ port: p.target.port, path, connections: CONNECTIONS, durationSec: WARMUP_SECONDS });
    await pinDatabaseBackends(db.url, LOAD_CORE);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const p of [bare, ballast]) {
        const cpuBefore = p.target.cpuSeconds();
        const mainBefore = p.target.mainThreadCpuSeconds();
        const fromUs = nowUs();
        const load = await runLoad({ port: p.target.port, path, connections: CONNECTIONS, durationSec: SECONDS });
        p.windows.push({ fromUs, toUs: nowUs() });
        const cpuUs = (p.target.cpuSeconds() - cpuBefore) * 1e6;
        p.procCpuUs += cpuUs;
        p.mainCpuUs += (p.target.mainThreadCpuSeconds() - mainBefore) * 1e6;
        p.requests += load.requests;
        p.non2xx += load.non2xx;
        process.stdout.write(
          `  round ${round} ${p.name}: ${Math.round(load.rps)} req/s, ${f1(cpuUs / load.requests)} µs CPU/req (/proc) under the profiler\n`,
        );
      }
    }
  } finally {
    // SIGTERM: both exit through process.exit, which is when V8 writes the profile.
    await Promise.all(profiled.map((p) => p.target.stop()));
    await db.drop();
  }

  const results = profiled.map((p) => {
    const a = attribute(readProfile(p.dir), ROOT, p.windows);
    if (a.samples === 0) throw new Error(`${p.name}: no samples in the measured windows (is the profile's clock not process.hrtime's?)`);
    return perRequest(p, a);
  });
  const of = (key: Profiled['key']) => results.find((r) => r.p.key === key) as PerRequest;
  const [ballast, bare] = [of('ballast'), of('bare')];
  const report = [
    `# CPU profile, Ballast vs bare NestJS — ${new Date().toISOString()}`,
    '',
    `GET ${path}, ${CONNECTIONS} connections, ${ROUNDS} rounds × ${SECONDS} s per server (bare, ballast, bare, ballast…) after ${WARMUP_SECONDS} s warm-up, ${loadGenerator}; ` +
      `\`node --cpu-prof --cpu-prof-interval=${INTERVAL_US}\`, servers on core 0. Only the samples taken during the measured loads count ` +
      `(boot and warm-up left out). CPU µs/req (self) = the function's share of the main thread's busy samples × the main thread's ` +
      `CPU time in those windows (/proc) / requests answered in them; self time excludes callees. The profiler adds CPU of its own: ` +
      `take absolute figures from \`npm run bench\`, and the split from here.`,
    '',
    section(bare, path),
    '',
    section(ballast, path),
    '',
    `## Ballast − bare (CPU µs per request)`,
    '',
    `Server CPU (/proc): ballast ${f1(ballast.all)} − bare ${f1(bare.all)} = **${f1(ballast.all - bare.all)} µs/req**: ` +
      `main thread ${f1(ballast.main)} − ${f1(bare.main)} = ${f1(ballast.main - bare.main)} (broken down below), ` +
      `other threads ${f1(ballast.all - ballast.main)} − ${f1(bare.all - bare.main)} = ${f1(ballast.all - ballast.main - (bare.all - bare.main))}.`,
    '',
    diff('by package / folder', bare.groups, ballast.groups),
    '',
    diff('by file', bare.files, ballast.files),
  ].join('\n');
  writeFileSync(join(PROFILES, 'report.md'), `${report}\n`);
  writeFileSync(
    join(PROFILES, 'summary.json'),
    JSON.stringify(
      results.map((r) => ({
        name: r.p.name,
        path,
        requests: r.p.requests,
        rps: r.p.requests / (ROUNDS * SECONDS),
        cpuUsPerRequest: { all: r.all, mainThread: r.main },
        sampledMainThreadUsPerRequest: { busy: r.busyWall, idle: r.idleWall },
        scale: r.scale,
        groupsUsPerRequest: Object.fromEntries(r.groups),
        filesUsPerRequest: Object.fromEntries(r.files),
        topFunctions: r.functions.slice(0, 100),
      })),
      null,
      2,
    ),
  );
  process.stdout.write(
    `\n${report}\n\nwritten to .bench/profiles/report.md and summary.json; profiles in .bench/profiles/{bare,ballast}/\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:profile failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
