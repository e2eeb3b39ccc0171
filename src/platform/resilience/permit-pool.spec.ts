import { PermitPool } from './permit-pool';
import { PermitsExhaustedError } from './resilience.errors';

function observed(capacity: number, options: { maxWaiting?: number; maxWaitMs?: number } = {}) {
  const changes: number[] = [];
  let rejected = 0;
  const pool = new PermitPool('test', { capacity, ...options }, { onChange: (n) => changes.push(n), onRejected: () => rejected++ });
  return { pool, changes, rejected: () => rejected };
}

describe(PermitPool.name, () => {
  it('hands out permits up to its capacity and refuses the next one at once (fail fast by default)', async () => {
    const { pool, rejected } = observed(2);
    await pool.acquire();
    await pool.acquire();
    await expect(pool.acquire()).rejects.toBeInstanceOf(PermitsExhaustedError);
    expect(pool.tryAcquire()).toBeUndefined();
    expect(pool.inUse).toBe(2);
    expect(rejected()).toBe(1);
  });

  it('refuses with a 503 problem that carries Retry-After and does not name the resource to clients', async () => {
    const { pool } = observed(1);
    await pool.acquire();
    const error = await pool.acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermitsExhaustedError);
    const problem = (error as PermitsExhaustedError).toProblem();
    expect(problem).toMatchObject({ status: 503, type: 'urn:ballast:problem:permits-exhausted' });
    expect(problem.detail).not.toContain('test');
    expect((error as PermitsExhaustedError).options.retryAfterSeconds).toBe(1);
  });

  it('releases a permit only once however often release() is called', async () => {
    const { pool, changes } = observed(2);
    const a = await pool.acquire();
    await pool.acquire();
    a.release();
    a.release();
    expect(pool.inUse).toBe(1);
    expect(changes).toEqual([1, 2, 1]);
  });

  it('releases the permit of run() when the work fails', async () => {
    const { pool } = observed(1);
    await expect(pool.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(pool.inUse).toBe(0);
    await expect(pool.run(() => Promise.resolve(42))).resolves.toBe(42);
    expect(pool.inUse).toBe(0);
  });

  it('lets a bounded number of callers wait and hands released permits over in arrival order', async () => {
    const { pool } = observed(1, { maxWaiting: 2, maxWaitMs: 5000 });
    const first = await pool.acquire();
    const order: string[] = [];
    const b = pool.acquire().then((p) => (order.push('b'), p));
    const c = pool.acquire().then((p) => (order.push('c'), p));
    await expect(pool.acquire()).rejects.toBeInstanceOf(PermitsExhaustedError);
    expect(pool.waiting).toBe(2);
    first.release();
    (await b).release();
    (await c).release();
    expect(order).toEqual(['b', 'c']);
    expect(pool.inUse).toBe(0);
  });

  it('fails a waiter after maxWaitMs and clears its timer', async () => {
    const { pool, rejected } = observed(1, { maxWaiting: 1, maxWaitMs: 20 });
    const held = await pool.acquire();
    const started = performance.now();
    await expect(pool.acquire()).rejects.toBeInstanceOf(PermitsExhaustedError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    expect(pool.waiting).toBe(0);
    expect(rejected()).toBe(1);
    held.release();
    expect(pool.inUse).toBe(0);
  });

  it('ends a wait when the caller aborts, with the abort reason, and leaves the permit count intact', async () => {
    const { pool } = observed(1, { maxWaiting: 1, maxWaitMs: 5000 });
    const held = await pool.acquire();
    const controller = new AbortController();
    const waiting = pool.acquire(controller.signal);
    controller.abort(new Error('client gone'));
    await expect(waiting).rejects.toThrow('client gone');
    expect(pool.waiting).toBe(0);
    held.release();
    expect(pool.inUse).toBe(0);
    await expect(pool.acquire(controller.signal)).rejects.toThrow('client gone');
  });
});
