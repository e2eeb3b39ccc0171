/** What one fault scenario saw from a client's side (the Redis and upstream fault files share it). */
export interface ScenarioResult {
  name: string;
  sent: number;
  /** HTTP status (or `profileStatus`, or `hang`/`error`) → count. */
  statuses: Map<string, number>;
  worstMs: number;
  liveStatuses: Map<string, number>;
  recoveryMs: number;
}

/** Sends `request` from `concurrency` workers for `durationMs`; each answer is classified by `classify`. */
export async function drive(
  durationMs: number,
  concurrency: number,
  request: (signal: AbortSignal) => Promise<string>,
  hangBoundMs: number,
): Promise<{ sent: number; statuses: Map<string, number>; worstMs: number }> {
  const statuses = new Map<string, number>();
  let sent = 0;
  let worstMs = 0;
  const until = Date.now() + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        sent++;
        const started = performance.now();
        let outcome: string;
        try {
          outcome = await request(AbortSignal.timeout(hangBoundMs));
        } catch (error) {
          outcome = (error as Error).name === 'TimeoutError' ? 'hang' : 'error';
        }
        worstMs = Math.max(worstMs, performance.now() - started);
        statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1);
      }
    }),
  );
  return { sent, statuses, worstMs: Math.round(worstMs) };
}

/** Polls GET /health/live every 200 ms while `during` runs; the statuses seen. */
export async function watchLive(baseUrl: string, during: Promise<unknown>): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  let done = false;
  void during.finally(() => (done = true));
  while (!done) {
    const status = await fetch(`${baseUrl}/health/live`, { signal: AbortSignal.timeout(2000) })
      .then(async (res) => (await res.arrayBuffer(), String(res.status)))
      .catch(() => 'error');
    seen.set(status, (seen.get(status) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, 200));
  }
  return seen;
}

/** Milliseconds until `recovered()` is true (polled every 100 ms); rejects after `timeoutMs`. */
export async function timeRecovery(recovered: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await recovered())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not recovered within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - started;
}

const format = (counts: Map<string, number>): string =>
  [...counts.entries()]
    .sort()
    .map(([key, count]) => `${key}×${count}`)
    .join(' ');

/** The one summary line per scenario (collected for the closing table). */
export function printScenario(result: ScenarioResult): void {
  process.stdout.write(
    `[fault] ${result.name} | sent ${result.sent} | ${format(result.statuses)} | worst ${result.worstMs} ms | live ${format(result.liveStatuses)} | recovery ${result.recoveryMs} ms\n`,
  );
}
