/** A prom-client metric as seen by its registry: `collect`, when set, runs before every read of the metric. */
type Collectable = { collect?: (() => void | Promise<void>) | undefined };

/**
 * Reads a metric's value when /metrics is scraped instead of setting it on the hot path (each prom-client
 * `set` hashes its labels). prom-client's `collect` option would do, but @willsoto's providers return the
 * metric already registered in the process-wide registry, so a `collect` given at creation stays bound to the
 * first application's state (tests build several). This installs `read` on the live metric and returns the
 * unhook for `onModuleDestroy`, which leaves a newer application's hook in place.
 */
export function collectOnScrape(metric: object, read: () => void | Promise<void>): () => void {
  const target = metric as Collectable;
  const hook = (): void | Promise<void> => read();
  target.collect = hook;
  return () => {
    if (target.collect === hook) target.collect = undefined;
  };
}
