import { BrokenCircuitError } from 'cockatiel';
import { UpstreamCircuit } from './upstream-circuit';

class Failure extends Error {}

function circuit(overrides: Partial<ConstructorParameters<typeof UpstreamCircuit>[0]> = {}) {
  const gauge: number[] = [];
  const c = new UpstreamCircuit(
    { consecutiveFailures: 100, failureRate: 0.5, window: 10, minimumAttempts: 10, halfOpenAfterMs: 60_000, ...overrides },
    { error: (e) => e instanceof Failure, result: (r) => r === 'bad' },
    (value) => gauge.push(value),
  );
  const signal = new AbortController().signal;
  const ok = () => c.execute(() => Promise.resolve('good'), signal);
  const fail = () => c.execute(() => Promise.reject(new Failure()), signal).catch((e: unknown) => e);
  const badResult = () => c.execute(() => Promise.resolve('bad'), signal);
  return { c, gauge, ok, fail, badResult };
}

describe(UpstreamCircuit.name, () => {
  it('opens on a failure rate above the threshold over the window even without consecutive failures', async () => {
    const { c, fail, ok } = circuit();
    // fail, fail, ok, fail, fail, ok, ...: never more than 2 in a row, but 2/3 of attempts fail.
    for (let i = 0; i < 9; i++) await (i % 3 === 2 ? ok() : fail());
    expect(c.state).toBe('closed');
    await fail();
    expect(c.state).toBe('open');
    expect(c.refusing).toBe(true);
    await expect(ok()).rejects.toBeInstanceOf(BrokenCircuitError);
  });

  it('stays closed at a failure rate at or below the threshold', async () => {
    const { c, fail, ok } = circuit();
    for (let i = 0; i < 40; i++) await (i % 2 === 0 ? fail() : ok());
    expect(c.state).toBe('closed');
  });

  it('opens on consecutive failures before the window is full, and counts failed results (5xx) like errors', async () => {
    const { c, fail, badResult } = circuit({ consecutiveFailures: 3 });
    await fail();
    await badResult();
    expect(c.state).toBe('closed');
    await fail();
    expect(c.state).toBe('open');
  });

  it('ignores errors that are not the upstream’s fault (they neither open nor count)', async () => {
    const { c } = circuit({ consecutiveFailures: 2 });
    const signal = new AbortController().signal;
    for (let i = 0; i < 5; i++)
      await expect(c.execute(() => Promise.reject(new TypeError('bug')), signal)).rejects.toBeInstanceOf(TypeError);
    expect(c.state).toBe('closed');
  });

  it('reports 0 closed / 2 open / 1 half-open to the gauge and a Retry-After of the remaining cool-down', async () => {
    const { c, gauge, fail, ok } = circuit({ consecutiveFailures: 1, halfOpenAfterMs: 1500 });
    await fail();
    expect(c.retryAfterSeconds()).toBe(2);
    expect(gauge).toEqual([0, 2]);
    await new Promise((resolve) => setTimeout(resolve, 1550));
    expect(c.refusing).toBe(false);
    await ok();
    expect(gauge).toEqual([0, 2, 1, 0]);
    expect(c.state).toBe('closed');
  });
});
