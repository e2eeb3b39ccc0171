import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Reads V8's `.cpuprofile` (what `node --cpu-prof` writes; the DevTools Profiler.Profile type): hand-written,
 * because the format is a small JSON (nodes with a callFrame, a sample per tick, the µs between ticks) and the
 * flame-graph packages render it but do not give self time per package over a chosen window.
 */
export interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based. */
  lineNumber: number;
  /** 0-based. */
  columnNumber: number;
}

export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame; hitCount?: number; children?: number[] }>;
  /** µs, V8's monotonic clock (CLOCK_MONOTONIC on Linux: the clock of process.hrtime). */
  startTime: number;
  endTime: number;
  /** Node id of the top frame of each sample. */
  samples: number[];
  /** µs from the previous sample (the first: from startTime). */
  timeDeltas: number[];
}

/** A window of the profile, µs on the clock of process.hrtime (the profile's own clock on Linux). */
export interface Window {
  fromUs: number;
  toUs: number;
}

/** V8's pseudo-frames: time not in any JavaScript function. */
const IDLE = '(idle)';
const PSEUDO = new Set([IDLE, '(program)', '(garbage collector)', '(root)']);

/** Where a frame's code lives: its group (a package or a source folder) and its file. */
export interface Location {
  group: string;
  file: string;
}

/** Group of the frames without a script that are not pseudo-frames. */
export const NATIVE = '(native: V8 builtins, Node bindings)';

/**
 * Groups a frame by its script: `node_modules/<pkg>` (scoped: `node_modules/@scope/name`), the project's
 * `src/platform/<module>` or `src/<folder>` (compiled into dist/ or dist-bench/), `bench`, `node:core` for
 * Node's own JavaScript, V8's pseudo-frames by name, and {@link NATIVE} for frames without a script: V8
 * builtins (JSON.stringify, RegExp, Array methods…) and Node's C++ bindings (the socket's `writev`, fs's
 * `writeString`…) — as a "file", each of those is named on its own, `(native) writev`.
 */
export function locate(frame: CallFrame, root: string): Location {
  const { url, functionName } = frame;
  if (url === '') {
    if (PSEUDO.has(functionName)) return { group: functionName, file: functionName };
    return { group: NATIVE, file: `(native) ${functionName || '(anonymous)'}` };
  }
  if (url.startsWith('node:')) return { group: 'node:core', file: url };
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const rel = relative(root, path);
  const modules = rel.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const inside = rel.slice(modules + 'node_modules/'.length);
    const parts = inside.split('/');
    const pkg = parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? inside);
    return { group: `node_modules/${pkg}`, file: `node_modules/${inside}` };
  }
  const source = rel.replace(/^dist(-bench)?\//, '');
  const parts = source.split('/');
  if (parts[0] === 'src') {
    const group = parts[1] === 'platform' && parts.length > 3 ? `src/platform/${parts[2]}` : parts.length > 2 ? `src/${parts[1]}` : 'src';
    return { group, file: rel };
  }
  if (parts[0] === 'bench') return { group: 'bench', file: rel };
  return { group: rel.startsWith('..') ? path : rel, file: rel.startsWith('..') ? path : rel };
}

/** Self time of one function over the window. */
export interface FunctionTime extends Location {
  name: string;
  selfUs: number;
}

/** What the samples in the windows add up to. */
export interface Attribution {
  /** Length of the window covered by samples, µs. */
  sampledUs: number;
  /** In the window: time in "(idle)" (the event loop waiting), µs. */
  idleUs: number;
  /** In the window: everything but idle (JavaScript, "(program)" native work, "(garbage collector)"), µs. */
  busyUs: number;
  samples: number;
  functions: FunctionTime[];
  /** Self µs by group, and by file, busy time only. */
  groups: Map<string, number>;
  files: Map<string, number>;
}

/**
 * Self time per function, group and file of the samples taken in any of `windows` (the whole profile without).
 * A sample stands for the time until the next one (the last: until endTime), as DevTools counts it.
 */
export function attribute(profile: CpuProfile, root: string, windows?: Window[]): Attribution {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfById = new Map<number, number>();
  const n = profile.samples.length;
  const times = new Array<number>(n);
  let t = profile.startTime;
  for (let i = 0; i < n; i++) times[i] = t += profile.timeDeltas[i] ?? 0;
  let sampledUs = 0;
  let idleUs = 0;
  let samples = 0;
  for (let i = 0; i < n; i++) {
    if (windows && !windows.some((w) => w.fromUs <= times[i] && times[i] <= w.toUs)) continue;
    const duration = Math.max(0, (i + 1 < n ? times[i + 1] : profile.endTime) - times[i]);
    const id = profile.samples[i];
    sampledUs += duration;
    samples++;
    if (byId.get(id)?.callFrame.functionName === IDLE) idleUs += duration;
    else selfById.set(id, (selfById.get(id) ?? 0) + duration);
  }
  // One entry per function (a function appears as many nodes as it has distinct call paths).
  const functions = new Map<string, FunctionTime>();
  const groups = new Map<string, number>();
  const files = new Map<string, number>();
  for (const [id, selfUs] of selfById) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const where = locate(frame, root);
    const name = frame.functionName || '(anonymous)';
    const key = `${name}\0${frame.url}\0${frame.lineNumber}\0${frame.columnNumber}`;
    const label = frame.url === '' ? name : `${where.file}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;
    const entry = functions.get(key) ?? { name, group: where.group, file: label, selfUs: 0 };
    entry.selfUs += selfUs;
    functions.set(key, entry);
    groups.set(where.group, (groups.get(where.group) ?? 0) + selfUs);
    files.set(where.file, (files.get(where.file) ?? 0) + selfUs);
  }
  return {
    sampledUs,
    idleUs,
    busyUs: sampledUs - idleUs,
    samples,
    functions: [...functions.values()].sort((a, b) => b.selfUs - a.selfUs),
    groups,
    files,
  };
}
