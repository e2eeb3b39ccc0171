import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../src/platform/database/free-port';
import { pinDatabaseBackends } from './database';
import type { Launch } from './idempotency-scenario';
import { concurrentRounds, interleavedRounds, pairedMedian, type Row, rowsTable, type Variant } from './rounds';
import { median } from './load';
import { pinPids, type Target } from './processes';

/** Concurrent pairs per variant against "without tracing" (0: none): rounds and their length. */
const PAIR_ROUNDS = Number(process.env['BENCH_TRACING_PAIR_ROUNDS'] ?? 4);
const PAIR_SECONDS = Number(process.env['BENCH_TRACING_PAIR_SECONDS'] ?? 4);

/** BENCH_TRACING_UNSAMPLED=1: also a sampler that keeps nothing (ratio 0), the cost of the unsampled path alone. */
const UNSAMPLED = process.env['BENCH_TRACING_UNSAMPLED'] === '1';

/** What `BENCH_ONLY=tracing` (and the full bench) needs from the run. */
export interface TracingScenarioOptions {
  launch: Launch;
  /** Ballast's bench env for this run, with extra variables. */
  env: (extra?: Record<string, string>) => Record<string, string>;
  databaseUrl: string;
  /** dist-bench/bench/targets of this build. */
  targets: string;
  /** The DB read measured (a seeded user). */
  path: string;
  rounds: number;
  seconds: number;
  connections: number;
  loadCore: number;
  warmUp: (targets: Target[], path: string) => Promise<void>;
  /** Already running (the hot path's): Ballast with the register loaded and no endpoint, and Ballast without it. */
  off?: Target;
  untraced?: Target;
  /** Another build's dist-bench/bench/targets (BENCH_BASE_ROOT): its tracing off, 10 % and 100 % in the same rounds. */
  baseTargets?: string;
}

/**
 * The cost of tracing on the DB read: Ballast without the tracing register, with it and no endpoint (off), sampled
 * 10 % and 100 % to a local OTLP sink (on the load core) that accepts and discards; interleaved rounds; with
 * `baseTargets`, the other build's off / 10 % / 100 % in the same rounds. Returns the report section and fills
 * `json.tracing`.
 */
export async function tracingScenario(options: TracingScenarioOptions, json: Record<string, unknown>): Promise<string> {
  const sinkPort = await freePort();
  const sink = spawn(process.execPath, [join(options.targets, 'otlp-sink.js')], {
    env: { PATH: process.env['PATH'] ?? '', PORT: String(sinkPort) },
    stdio: 'ignore',
  });
  const started: Target[] = [];
  try {
    pinPids(sink.pid === undefined ? [] : [sink.pid], options.loadCore);
    const otlp = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}` };
    const ten = { ...otlp, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' };
    const all = { ...otlp, OTEL_TRACES_SAMPLER: 'parentbased_always_on' };
    const launch = async (name: string, script: string, extra: Record<string, string> = {}) => {
      const t = await options.launch(name, script, options.env(extra), options.path);
      started.push(t);
      return t;
    };
    const bench = join(options.targets, 'ballast-bench.js');
    const untraced = options.untraced ?? (await launch('ballast without tracing', join(options.targets, 'ballast-untraced.js')));
    const off = options.off ?? (await launch('ballast, tracing off', bench));
    const targets: Array<[string, Target]> = [
      ['ballast without tracing', untraced],
      ['ballast, tracing off', off],
      ['ballast + tracing 10 %', await launch('ballast + tracing 10 %', bench, ten)],
      ['ballast + tracing 100 %', await launch('ballast + tracing 100 %', bench, all)],
    ];
    // The unsampled path alone: every request decided "not sampled" (ratio 0), nothing exported.
    if (UNSAMPLED)
      targets.push(['ballast + tracing 0 %', await launch('ballast + tracing 0 %', bench, { ...ten, OTEL_TRACES_SAMPLER_ARG: '0' })]);
    if (options.baseTargets) {
      const baseBench = join(options.baseTargets, 'ballast-bench.js');
      targets.push(['base: tracing off', await launch('base: tracing off', baseBench)]);
      targets.push(['base: tracing 10 %', await launch('base: tracing 10 %', baseBench, ten)]);
      targets.push(['base: tracing 100 %', await launch('base: tracing 100 %', baseBench, all)]);
    }
    await options.warmUp(started, options.path);
    await pinDatabaseBackends(options.databaseUrl, options.loadCore);
    process.stdout.write(`\n# tracing, GET /api/v1/users/:id — ${options.rounds} rounds × ${options.seconds} s\n`);
    const variants: Variant[] = targets.map(([name, target]) => ({ name, target, load: { path: options.path } }));
    const rows = await interleavedRounds(variants, options.rounds, options.connections, options.seconds);
    const [untracedRow] = rows as [Row];
    const line = (row: Row) => {
      const rps = pairedMedian(row, untracedRow, (a, b) => a.rps / b.rps);
      const cpu = pairedMedian(row, untracedRow, (a, b) => a.cpuUs - b.cpuUs);
      return {
        name: row.name,
        rps,
        cpu,
        text: `| ${row.name} | ${rps.value.toFixed(2)} (${rps.min.toFixed(2)}–${rps.max.toFixed(2)}) | ${cpu.value.toFixed(1)} (${cpu.min.toFixed(1)}–${cpu.max.toFixed(1)}) |`,
      };
    };
    const lines = rows.slice(1).map(line);
    // Concurrent pairs: each variant against "without tracing", both loaded at once on the server core.
    const pairs: string[] = [];
    const pairJson: Record<string, unknown> = {};
    for (const v of PAIR_ROUNDS > 0 ? variants.slice(1) : []) {
      process.stdout.write(`\n# concurrent pair: ${v.name} | ${variants[0]?.name}\n`);
      const pair = await concurrentRounds(v, variants[0], options.connections, PAIR_ROUNDS, PAIR_SECONDS);
      const ratio = pair.a.map((x, i) => x.rps / (pair.b[i]?.rps ?? NaN));
      const cpu = pair.a.map((x, i) => x.cpuUs - (pair.b[i]?.cpuUs ?? NaN));
      pairJson[v.name] = pair;
      pairs.push(
        `| ${v.name} | ${median(ratio).toFixed(2)} (${Math.min(...ratio).toFixed(2)}–${Math.max(...ratio).toFixed(2)}) | ` +
          `${median(cpu).toFixed(1)} (${Math.min(...cpu).toFixed(1)}–${Math.max(...cpu).toFixed(1)}) | ${median(pair.b.map((x) => x.cpuUs)).toFixed(0)} |`,
      );
    }
    json['tracing'] = { rows, reference: untracedRow.name, lines: lines.map(({ text: _text, ...rest }) => rest), pairs: pairJson };
    return (
      `## Tracing on the DB read (goals vs without tracing: off ≤ 1 µs CPU per request, 10 % ≥ 0.95 of req/s, 100 % ≥ 0.75)\n\n` +
      `${rowsTable(rows, untracedRow)}\n\n` +
      `| variant | req/s over without tracing, median of rounds (spread) | CPU µs/req over without tracing (spread) |\n|---|---:|---:|\n` +
      `${lines.map((l) => l.text).join('\n')}\n\n` +
      `Sampled variants export over OTLP/HTTP (protobuf) to a local sink that discards; CPU per request includes the SDK's export work. ` +
      `Each figure is the median over rounds of the ratio (difference) within a round.` +
      (pairs.length === 0
        ? ''
        : `\n\nConcurrent pairs (each variant and "without tracing" loaded at the same time on the server core, ${PAIR_ROUNDS} rounds × ${PAIR_SECONDS} s, ` +
          `scheduler CPU; both meet the same machine, so these are the steadier figures on a busy machine):\n\n` +
          `| variant | req/s over without tracing (spread) | CPU µs/req over without tracing (spread) | without tracing µs/req |\n|---|---:|---:|---:|\n${pairs.join('\n')}`)
    );
  } finally {
    await Promise.all(started.filter((t) => t !== options.off && t !== options.untraced).map((t) => t.stop()));
    sink.kill();
  }
}
