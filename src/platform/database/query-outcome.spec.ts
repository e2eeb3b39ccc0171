import { queryOutcomeOf } from './query-outcome';

describe(queryOutcomeOf.name, () => {
  it('classifies statement and client query timeouts as timeout', () => {
    expect(queryOutcomeOf(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBe('timeout');
    expect(queryOutcomeOf(new Error('Query read timeout'))).toBe('timeout');
  });

  it('classifies integrity constraint violations (SQLSTATE class 23) as constraint, not error', () => {
    // unique, foreign key, check, not-null, exclusion, restrict, and the class's generic code
    for (const code of ['23505', '23503', '23514', '23502', '23P01', '23001', '23000']) {
      expect({ code, outcome: queryOutcomeOf(Object.assign(new Error('violates constraint'), { code })) }).toEqual({
        code,
        outcome: 'constraint',
      });
    }
    // TypeORM's QueryFailedError keeps the driver's error beside its own
    expect(queryOutcomeOf(Object.assign(new Error('duplicate key'), { driverError: { code: '23505' } }))).toBe('constraint');
  });

  it('classifies anything else as error', () => {
    for (const code of ['42P01', '42601', '08006', '57P01', '22P02', '53300', 23505, '2350']) {
      expect({ code, outcome: queryOutcomeOf(Object.assign(new Error('failed'), { code })) }).toEqual({ code, outcome: 'error' });
    }
    expect(queryOutcomeOf(new Error('Connection terminated unexpectedly'))).toBe('error');
    expect(queryOutcomeOf(undefined)).toBe('error');
  });
});
