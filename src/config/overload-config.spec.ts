import { ConfigValidationError, loadConfig } from './load-config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigValidationError');
}

describe('overload configuration (HTTP_CONCURRENCY_LIMIT=adaptive, SHED_MAX_*)', () => {
  it('defaults to the fixed limit with every pressure signal off', () => {
    expect(loadConfig({}).resilience).toMatchObject({
      httpConcurrencyLimit: 1000,
      httpConcurrencyLimitMin: 20,
      httpConcurrencyLimitMax: 1000,
      shedMaxEventLoopDelayMs: undefined,
      shedMaxEventLoopUtilization: undefined,
      shedMaxHeapUsedPercent: undefined,
      shedLowPriorityPercent: 80,
    });
  });

  it('reads adaptive mode, its bounds and the thresholds (utilisation as a fraction; empty means off)', () => {
    const r = loadConfig({
      HTTP_CONCURRENCY_LIMIT: 'adaptive',
      HTTP_CONCURRENCY_LIMIT_MIN: '10',
      HTTP_CONCURRENCY_LIMIT_MAX: '500',
      SHED_MAX_EVENT_LOOP_DELAY_MS: '100',
      SHED_MAX_EVENT_LOOP_UTILIZATION: '0.95',
      SHED_MAX_HEAP_USED_PERCENT: '',
    }).resilience;
    expect(r).toMatchObject({
      httpConcurrencyLimit: 'adaptive',
      httpConcurrencyLimitMin: 10,
      httpConcurrencyLimitMax: 500,
      shedMaxEventLoopDelayMs: 100,
      shedMaxEventLoopUtilization: 0.95,
      shedMaxHeapUsedPercent: undefined,
    });
  });

  it('refuses bad values naming the variable and the accepted range', () => {
    const problems = problemsOf({
      HTTP_CONCURRENCY_LIMIT: 'auto',
      SHED_MAX_EVENT_LOOP_UTILIZATION: '95',
      SHED_MAX_HEAP_USED_PERCENT: 'half',
      SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^HTTP_CONCURRENCY_LIMIT: .*1 to 1000000 or "adaptive"/),
        expect.stringMatching(/^SHED_MAX_EVENT_LOOP_UTILIZATION: 95 is out of range; expected a number from 0.01 to 1/),
        expect.stringMatching(/^SHED_MAX_HEAP_USED_PERCENT: "half" is not an integer/),
        expect.stringMatching(/^SHED_MAX_EVENT_LOOP_DELAY_MS: 0 is out of range/),
      ]),
    );
  });

  it('refuses an adaptive floor above its ceiling', () => {
    expect(problemsOf({ HTTP_CONCURRENCY_LIMIT_MIN: '50', HTTP_CONCURRENCY_LIMIT_MAX: '10' })).toEqual([
      expect.stringMatching(/^HTTP_CONCURRENCY_LIMIT_MIN: HTTP_CONCURRENCY_LIMIT_MIN \(50\) must be ≤ HTTP_CONCURRENCY_LIMIT_MAX \(10\)/),
    ]);
  });
});
