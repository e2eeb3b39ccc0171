import type { RoundFigures as BudgetRound } from './budget';
import { type LoadOptions, type LoadResult, median, runLoad } from './load';
import type { Target } from './processes';

/** One load run of a target, with the server's CPU. */
export interface Measured extends LoadResult {
  /** Server CPU (all threads) per request answered, µs. */
  cpuUs: number;
  /** Share of one core the server used during the run, %. */
  util: number;
}

/** Figures of one round, unrounded (the budget pairs rounds), with its p99 (ms). */
export interface RoundFigures extends BudgetRound {
  p99?: number;
}

/** The medians of one variant over the rounds. */
export interface Row {
  name: string;
  rps: number;
  cpuUs: number;
  util: number;
  p50: number;
  p99: number;
  peakRssMiB: number;
  non2xx: number;
  errors: number;
  /** Each round's figures, unrounded, in round order: the budget pairs them. */
  rounds: RoundFigures[];
}

/** What is loaded in one slot of a round: a target (server) and how (path, method, headers, body). */
export interface Variant {
  name: string;
  target: Target;
  load: Omit<LoadOptions, 'port' | 'connections' | 'durationSec'>;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

function summarise(name: string, target: Target, runs: Measured[]): Row {
  return {
    name,
    rps: Math.round(median(runs.map((r) => r.rps))),
    cpuUs: Math.round(median(runs.map((r) => r.cpuUs))),
    util: Math.round(median(runs.map((r) => r.util))),
    p50: round2(median(runs.map((r) => r.p50))),
    p99: round2(median(runs.map((r) => r.p99))),
    peakRssMiB: Math.round(target.peakRssMiB()),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors + r.timeouts, 0),
    rounds: runs.map((r) => ({ cpuUs: r.cpuUs, rps: r.rps, p99: r.p99 })),
  };
}

/** One bounded run of `variant`, with its server's CPU per request. */
export async function measure(variant: Variant, connections: number, durationSec: number): Promise<Measured> {
  const t = variant.target;
  const cpuBefore = t.cpuSeconds();
  const started = performance.now();
  const load = await runLoad({ ...variant.load, port: t.port, connections, durationSec });
  const cpu = t.cpuSeconds() - cpuBefore;
  return { ...load, cpuUs: (cpu * 1e6) / Math.max(1, load.requests), util: (100 * cpu * 1000) / (performance.now() - started) };
}

/**
 * Runs `variants` round-robin (A B C A B C …, so drift of the machine hits all alike) for `rounds` rounds; one row
 * per variant, in their order. Each run is printed as it ends.
 */
export async function interleavedRounds(variants: Variant[], rounds: number, connections: number, seconds: number): Promise<Row[]> {
  const runs = new Map<Variant, Measured[]>(variants.map((v) => [v, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const v of variants) {
      const r = await measure(v, connections, seconds);
      runs.get(v)?.push(r);
      process.stdout.write(
        `  round ${round} ${v.name.padEnd(34)} ${Math.round(r.rps).toString().padStart(7)} req/s  ${Math.round(r.cpuUs)} µs CPU/req  core ${Math.round(r.util)} %  p50 ${r.p50} ms  p99 ${r.p99} ms  non2xx ${r.non2xx}\n`,
      );
    }
  }
  return variants.map((v) => summarise(v.name, v.target, runs.get(v) ?? []));
}

/** Median over rounds of f(a's round, b's round): a ratio or difference within each round, free of drift between rounds. */
export function pairedMedian(a: Row, b: Row, f: (x: RoundFigures, y: RoundFigures) => number): { value: number; min: number; max: number } {
  const values = a.rounds.map((x, i) => f(x, b.rounds[i]));
  return { value: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** A markdown table of rows, with req/s relative to `reference` when given. */
export function rowsTable(rows: Row[], reference?: Row): string {
  const head =
    '| target | req/s (median) | server CPU µs/req | server core busy % | p50 ms | p99 ms | peak RSS MiB | non-2xx | errors |' +
    (reference ? ` req/s vs ${reference.name} |` : '');
  const sep = '|---|---:|---:|---:|---:|---:|---:|---:|---:|' + (reference ? '---:|' : '');
  const lines = rows.map(
    (r) =>
      `| ${r.name} | ${r.rps} | ${r.cpuUs} | ${r.util} | ${r.p50} | ${r.p99} | ${r.peakRssMiB} | ${r.non2xx} | ${r.errors} |` +
      (reference ? ` ${(r.rps / reference.rps).toFixed(2)} |` : ''),
  );
  return [head, sep, ...lines].join('\n');
}

/** Per-round figures of two variants loaded at the same time. */
export interface PairFigures {
  a: RoundFigures[];
  b: RoundFigures[];
}

/**
 * `a` and `b` under load at the same time, half the connections each, both servers on the server core: per round each
 * one's CPU per request (scheduler nanoseconds, all threads) and req/s. Two servers sharing a core meet the same
 * machine, so their difference is free of the drift that moves back-to-back rounds (other work on the machine).
 * After a joint 2 s warm-up.
 */
export async function concurrentRounds(a: Variant, b: Variant, connections: number, rounds: number, seconds: number): Promise<PairFigures> {
  const each = Math.max(1, Math.round(connections / 2));
  const both = [a, b];
  await Promise.all(both.map((v) => runLoad({ ...v.load, port: v.target.port, connections: each, durationSec: 2 })));
  const out: PairFigures = { a: [], b: [] };
  for (let round = 1; round <= rounds; round++) {
    const before = both.map((v) => v.target.schedCpuSeconds());
    const loads = await Promise.all(both.map((v) => runLoad({ ...v.load, port: v.target.port, connections: each, durationSec: seconds })));
    const [fa, fb] = both.map((v, i) => ({
      cpuUs: ((v.target.schedCpuSeconds() - (before[i] ?? 0)) * 1e6) / Math.max(1, loads[i]?.requests ?? 0),
      rps: loads[i]?.rps ?? 0,
      p99: loads[i]?.p99,
    })) as [RoundFigures, RoundFigures];
    out.a.push(fa);
    out.b.push(fb);
    process.stdout.write(
      `  pair round ${round} ${a.name} ${fa.cpuUs.toFixed(1)} µs/req ${Math.round(fa.rps)} req/s | ${b.name} ${fb.cpuUs.toFixed(1)} µs/req ${Math.round(fb.rps)} req/s\n`,
    );
  }
  return out;
}
