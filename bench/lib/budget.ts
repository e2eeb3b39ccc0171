import { median } from './load';

/**
 * The hot path's CPU budget (issue #21), computed from the interleaved rounds of one `npm run bench`: reported,
 * never asserted (a loaded machine misses it without a regression). Costs are CPU µs per request, taken from
 * pairs: in round r, "everything on" and the variant ran one after the other, so round r's difference is free of
 * the drift between rounds; the line's figure is the median of those per-round differences, its spread their
 * min–max. A spread that straddles the limit means this run cannot tell met from missed.
 */

/** One target's figures in one round (unrounded). */
export interface RoundFigures {
  /** Server CPU (all threads) per request answered, µs. */
  cpuUs: number;
  rps: number;
}

/** The protections with a one-off variant (that protection off, everything else on). */
export type Protection = 'rate limiting' | 'HTTP metrics' | 'request log line' | 'DB permits';

/** Limits, CPU µs per request: what each protection may add to bare NestJS. */
export const PROTECTION_LIMITS_US: Record<Protection, number> = {
  'rate limiting': 5,
  'HTTP metrics': 5,
  'request log line': 8,
  'DB permits': 3,
};
/** Tracing off (no endpoint): everything on vs Ballast that never loads the tracing register. */
export const TRACING_OFF_LIMIT_US = 1;
/** What remains with the four protections off: security headers, request id, drain, admission, deadline, context… */
export const EDGE_LIMIT_US = 8;
/** Ballast over bare, by CPU per request (bare µs / Ballast µs) and by throughput, at least. */
export const MIN_RATIO_OF_BARE = 0.8;
/** Peak RSS of Ballast over bare's, at most. */
export const MAX_RSS_OF_BARE = 1.2;

/** What a concurrent pair measured: `a` and `b` loaded at the same time on the same core, round by round. */
export interface PairRounds {
  a: RoundFigures[];
  b: RoundFigures[];
}

/**
 * The lines a concurrent pair can measure: a protection (everything on vs it off), `tracing off` (everything on vs
 * without the register), `edge` (edge only vs bare) and `all` (everything on vs bare).
 */
export type PairLine = Protection | 'tracing off' | 'edge' | 'all';

/** The rounds of one route, by target. */
export interface RouteRounds {
  /** Ballast, everything on. */
  on: RoundFigures[];
  bare: RoundFigures[];
  /** Ballast with rate limit, HTTP metrics, DB permits and the request line off. */
  edgeOnly: RoundFigures[];
  /** One-off variants measured on this route. */
  without: Partial<Record<Protection, RoundFigures[]>>;
  /** Ballast without the tracing register, if measured on this route. */
  untraced?: RoundFigures[];
  /**
   * Concurrent pairs, when the run measured them: their rounds replace the interleaved ones for every CPU line
   * (the µs lines and Ballast/bare by CPU); throughput stays interleaved (two servers sharing a core split it).
   */
  concurrent?: Partial<Record<PairLine, PairRounds>>;
}

export interface BudgetInput {
  db: RouteRounds;
  json: RouteRounds;
  /** Peak RSS (VmHWM) over the whole hot path, MiB. */
  peakRssMiB: { ballast: number; bare: number };
}

export interface BudgetLine {
  line: string;
  route: 'DB read' | 'JSON' | 'process';
  /** What was subtracted or divided, in words. */
  how: string;
  value: number;
  /** Min–max over rounds of the per-round value; absent for a single figure. */
  spread?: [number, number];
  unit: 'µs' | '×';
  /** Absent: an information line, no limit. */
  limit?: { op: '≤' | '≥'; value: number };
  met?: boolean;
}

/** Median and min–max over rounds of `f(a[r], b[r])`. */
export function paired(
  a: RoundFigures[],
  b: RoundFigures[],
  f: (a: RoundFigures, b: RoundFigures) => number,
): Pick<BudgetLine, 'value' | 'spread'> {
  const values = a.slice(0, Math.min(a.length, b.length)).map((x, r) => f(x, b[r]));
  if (values.length === 0) return { value: NaN };
  return { value: median(values), spread: [Math.min(...values), Math.max(...values)] };
}

const cpuDiff = (a: RoundFigures, b: RoundFigures) => a.cpuUs - b.cpuUs;

function withVerdict(line: BudgetLine): BudgetLine {
  if (!line.limit || Number.isNaN(line.value)) return line;
  const ok = (x: number) => (line.limit?.op === '≤' ? x <= (line.limit?.value ?? 0) : x >= (line.limit?.value ?? 0));
  return { ...line, met: ok(line.value) };
}

function routeLines(route: 'DB read' | 'JSON', r: RouteRounds): BudgetLine[] {
  const lines: BudgetLine[] = [];
  /** The rounds a CPU line is computed from: its concurrent pair when measured, else the interleaved rounds. */
  const pairOf = (key: PairLine, a: RoundFigures[], b: RoundFigures[]): [RoundFigures[], RoundFigures[], string] => {
    const pair = r.concurrent?.[key];
    return pair ? [pair.a, pair.b, ' (concurrent pair)'] : [a, b, ''];
  };
  for (const protection of Object.keys(PROTECTION_LIMITS_US) as Protection[]) {
    const without = r.without[protection];
    if (!without) continue;
    const [a, b, how] = pairOf(protection, r.on, without);
    lines.push({
      line: protection,
      route,
      how: `everything on − ${protection} off${how}`,
      ...paired(a, b, cpuDiff),
      unit: 'µs',
      limit: { op: '≤', value: PROTECTION_LIMITS_US[protection] },
    });
  }
  if (r.untraced) {
    const [a, b, how] = pairOf('tracing off', r.on, r.untraced);
    lines.push({
      line: 'tracing off',
      route,
      how: `everything on − without the tracing register${how}`,
      ...paired(a, b, cpuDiff),
      unit: 'µs',
      limit: { op: '≤', value: TRACING_OFF_LIMIT_US },
    });
  }
  const [edgeA, edgeB, edgeHow] = pairOf('edge', r.edgeOnly, r.bare);
  const [allA, allB, allHow] = pairOf('all', r.on, r.bare);
  lines.push(
    {
      line: 'everything else at the edge',
      route,
      how: `edge only − bare${edgeHow}`,
      ...paired(edgeA, edgeB, cpuDiff),
      unit: 'µs',
      limit: { op: '≤', value: EDGE_LIMIT_US },
    },
    {
      line: 'Ballast over bare in all (information)',
      route,
      how: `everything on − bare${allHow}`,
      ...paired(allA, allB, cpuDiff),
      unit: 'µs',
    },
    {
      line: 'Ballast/bare by CPU per request',
      route,
      how: `bare µs / everything-on µs${allHow}`,
      ...paired(allB, allA, (bare, on) => bare.cpuUs / on.cpuUs),
      unit: '×',
      limit: { op: '≥', value: MIN_RATIO_OF_BARE },
    },
    {
      line: 'Ballast/bare by throughput',
      route,
      how: 'everything-on req/s / bare req/s',
      ...paired(r.on, r.bare, (on, bare) => on.rps / bare.rps),
      unit: '×',
      limit: { op: '≥', value: MIN_RATIO_OF_BARE },
    },
  );
  return lines;
}

/** Every budget line of the run, with its verdict. */
export function computeBudget(input: BudgetInput): BudgetLine[] {
  const { ballast, bare } = input.peakRssMiB;
  return [
    ...routeLines('DB read', input.db),
    ...routeLines('JSON', input.json),
    {
      line: 'peak RSS, Ballast/bare',
      route: 'process' as const,
      how: `${ballast.toFixed(0)} MiB / ${bare.toFixed(0)} MiB (VmHWM over the hot path)`,
      value: ballast / bare,
      unit: '×' as const,
      limit: { op: '≤' as const, value: MAX_RSS_OF_BARE },
    },
  ].map(withVerdict);
}

function format(value: number, unit: BudgetLine['unit']): string {
  return unit === 'µs' ? `${value.toFixed(1)} µs` : value.toFixed(2);
}

/** The budget as a Markdown table. */
export function budgetTable(lines: BudgetLine[]): string {
  const rows = lines.map((l) => {
    const spread = l.spread ? `${format(l.spread[0], l.unit)} – ${format(l.spread[1], l.unit)}` : '—';
    const limit = l.limit ? `${l.limit.op} ${format(l.limit.value, l.unit)}` : '—';
    const straddles = l.limit && l.spread && l.spread[0] <= l.limit.value && l.limit.value <= l.spread[1];
    const verdict = l.met === undefined ? '' : `${l.met ? 'met' : '**missed**'}${straddles ? ' (spread straddles the limit)' : ''}`;
    return `| ${l.line} | ${l.route} | ${l.how} | ${format(l.value, l.unit)} | ${spread} | ${limit} | ${verdict} |`;
  });
  return [
    '| budget line | route | measured as | median of paired rounds | spread (min – max over rounds) | limit | |',
    '|---|---|---|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
}
