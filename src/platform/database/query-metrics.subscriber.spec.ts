import { queryOutcomeOf } from './query-metrics.subscriber';

describe(queryOutcomeOf.name, () => {
  it('classifies statement and client query timeouts as timeout', () => {
    expect(queryOutcomeOf(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBe('timeout');
    expect(queryOutcomeOf(new Error('Query read timeout'))).toBe('timeout');
  });

  it('classifies anything else as error', () => {
    expect(queryOutcomeOf(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe('error');
    expect(queryOutcomeOf(undefined)).toBe('error');
  });
});
