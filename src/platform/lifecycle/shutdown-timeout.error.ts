/** A resource did not close within SHUTDOWN_CLOSE_TIMEOUT_MS; the coordinator logs it and moves on. */
export class ShutdownTimeoutError extends Error {
  constructor(
    readonly resource: string,
    readonly timeoutMs: number,
  ) {
    super(`${resource} did not close within ${timeoutMs} ms`);
    this.name = ShutdownTimeoutError.name;
  }
}

/** Runs `close`, rejecting with {@link ShutdownTimeoutError} after `timeoutMs`; the timer is always cleared. */
export async function closeWithin(resource: string, timeoutMs: number, close: () => Promise<void> | void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ShutdownTimeoutError(resource, timeoutMs)), timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(close), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
