/** A resource a test starts, and how to close it. */
export interface Startable<T> {
  start(): Promise<T>;
  close(resource: T): unknown;
}

type Started<S extends Record<string, Startable<unknown>>> = { [K in keyof S]: Awaited<ReturnType<S[K]['start']>> };

/**
 * Starts resources concurrently. When one fails, the ones that did start are closed before the error is
 * rethrown: a suite that fails in its set-up (a missing tool, say) leaves no server or socket open to keep
 * jest from exiting. `close()` closes them all, whichever started.
 */
export async function startTogether<S extends Record<string, Startable<unknown>>>(
  specs: S,
): Promise<{ resources: Started<S>; close(): Promise<void> }> {
  const entries: Array<[string, Startable<unknown>]> = Object.entries(specs);
  const settled = await Promise.allSettled(entries.map(([, spec]) => spec.start()));
  const close = async () => {
    await Promise.allSettled(
      settled.flatMap((result, i) => (result.status === 'fulfilled' ? [Promise.resolve(entries[i][1].close(result.value))] : [])),
    );
  };
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await close();
    throw failed.reason;
  }
  const resources = Object.fromEntries(entries.map(([name], i) => [name, (settled[i] as PromiseFulfilledResult<unknown>).value]));
  return { resources: resources as Started<S>, close };
}
