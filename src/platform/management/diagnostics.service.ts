import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { ServerResponse } from 'node:http';
import { Session } from 'node:inspector/promises';
import { hostname } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapSnapshot, getHeapStatistics, type HeapInfo } from 'node:v8';
import type { Counter } from 'prom-client';
import { HEAP_SNAPSHOT_MAX_HEAP_USED_PERCENT, MANAGEMENT_METRIC } from './management.constants';
import { ManagementProblem } from './management-http';

/** Values of `diagnostics_taken_total{kind}`. */
export type DiagnosticKind = 'heap_snapshot' | 'cpu_profile';

/** Why a heap snapshot would not fit, or undefined when it does (see {@link HEAP_SNAPSHOT_MAX_HEAP_USED_PERCENT}). */
export function heapSnapshotRefusal(stats: Pick<HeapInfo, 'used_heap_size' | 'heap_size_limit'>): string | undefined {
  const percent = (stats.used_heap_size / stats.heap_size_limit) * 100;
  if (percent <= HEAP_SNAPSHOT_MAX_HEAP_USED_PERCENT) return undefined;
  const mib = (bytes: number) => Math.round(bytes / 1048576);
  return (
    `the heap uses ${mib(stats.used_heap_size)} MiB of its ${mib(stats.heap_size_limit)} MiB limit (${Math.round(percent)} %, over ` +
    `${HEAP_SNAPSHOT_MAX_HEAP_USED_PERCENT} %): a snapshot needs about as much again and could run the process out of memory; ` +
    'add ?force=true to take it anyway'
  );
}

/**
 * On-demand V8 diagnostics, streamed to the caller: a heap snapshot (`.heapsnapshot`) and a CPU profile
 * (`.cpuprofile`), both opened by Chrome DevTools. One at a time (409 while one runs): each costs the process
 * — a heap snapshot stops it while V8 walks the heap, a profile samples every thread tick.
 */
@Injectable()
export class DiagnosticsService {
  private readonly logger = new Logger('Management');
  private running: DiagnosticKind | undefined;

  constructor(@InjectMetric(MANAGEMENT_METRIC.diagnosticsTaken) private readonly taken: Counter<'kind'>) {
    // Both series exist from the start: a dashboard's increase() sees the first diagnostic.
    for (const kind of ['heap_snapshot', 'cpu_profile'] as const) taken.inc({ kind }, 0);
  }

  /** Streams a heap snapshot; 507 when the heap has no room for one (unless `force`), 409 while another runs. */
  async heapSnapshot(res: ServerResponse, force: boolean, by: string): Promise<void> {
    const refusal = force ? undefined : heapSnapshotRefusal(getHeapStatistics());
    if (refusal) throw new ManagementProblem(507, 'insufficient-memory', 'Insufficient Storage', refusal);
    await this.exclusive('heap_snapshot', async () => {
      this.logger.warn(`audit: heap snapshot requested by ${by}; the process pauses while V8 walks the heap`);
      const started = performance.now();
      // getHeapSnapshot walks the heap synchronously (the pause), then the stream serialises it in chunks.
      const snapshot = getHeapSnapshot();
      const pausedMs = Math.round(performance.now() - started);
      res.writeHead(200, download('heapsnapshot'));
      let bytes = 0;
      snapshot.on('data', (chunk: Buffer) => (bytes += chunk.length));
      await pipeline(snapshot, res);
      this.logger.warn(
        `audit: heap snapshot streamed: ${bytes} bytes, paused ${pausedMs} ms, ${Math.round(performance.now() - started)} ms in all`,
      );
    });
  }

  /** Profiles the CPU for `seconds`, then streams the profile; 409 while another diagnostic runs. */
  async cpuProfile(res: ServerResponse, seconds: number, by: string): Promise<void> {
    await this.exclusive('cpu_profile', async () => {
      this.logger.warn(`audit: CPU profile of ${seconds} s requested by ${by}`);
      const session = new Session();
      session.connect();
      try {
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
        // A caller that leaves early ends the profile early: nobody would read it.
        const gone = new AbortController();
        res.once('close', () => gone.abort());
        await sleep(seconds * 1000, undefined, { signal: gone.signal }).catch(() => undefined);
        const { profile } = await session.post('Profiler.stop');
        if (gone.signal.aborted) return;
        const body = Buffer.from(JSON.stringify(profile));
        res.writeHead(200, { ...download('cpuprofile'), 'Content-Length': String(body.length) });
        res.end(body);
        this.logger.warn(`audit: CPU profile streamed: ${body.length} bytes over ${seconds} s`);
      } finally {
        session.disconnect();
      }
    });
  }

  private async exclusive(kind: DiagnosticKind, run: () => Promise<void>): Promise<void> {
    if (this.running)
      throw new ManagementProblem(
        409,
        'diagnostic-in-progress',
        'Conflict',
        `a ${this.running.replace('_', ' ')} is being taken; one diagnostic at a time`,
      );
    this.running = kind;
    try {
      await run();
      this.taken.inc({ kind });
    } finally {
      this.running = undefined;
    }
  }
}

/** Headers of a diagnostic download, named after the host and the time (one pod's file among several). */
function download(extension: 'heapsnapshot' | 'cpuprofile'): Record<string, string> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return {
    'Content-Type': 'application/json',
    'Content-Disposition': `attachment; filename="${hostname()}-${stamp}.${extension}"`,
    'Cache-Control': 'no-store',
  };
}
