import { learnThrottlerMetadataKeys, throttlerMetadataKeys } from './throttler-metadata';

describe(learnThrottlerMetadataKeys.name, () => {
  it("learns every key from the installed throttler's decorators (fails on the release that writes metadata another way)", () => {
    const learnt = learnThrottlerMetadataKeys();
    expect(learnt).toBeDefined();
    expect(new Set(Object.values(learnt ?? {})).size).toBe(6);
  });

  it('the keys in use are the learnt ones', () => {
    expect(throttlerMetadataKeys()).toEqual(learnThrottlerMetadataKeys());
  });
});
