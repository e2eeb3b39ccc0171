import { appendItem, limitItem, policyItem } from './rate-limit-headers';

describe('rate-limit headers (draft-ietf-httpapi-ratelimit-headers)', () => {
  it('formats a token bucket as quota = burst per window = time to refill it', () => {
    expect(policyItem('default', 30, 3000)).toBe('"default";q=30;w=3');
    expect(policyItem('strict', 6, 2500)).toBe('"strict";q=6;w=3');
    expect(policyItem('fast', 100000, 1)).toBe('"fast";q=100000;w=1');
  });

  it('formats the service limit with whole, non-negative numbers', () => {
    expect(limitItem('default', 12, 1)).toBe('"default";r=12;t=1');
    expect(limitItem('default', -1, 0.2)).toBe('"default";r=0;t=1');
  });

  it('escapes policy names as Structured Field strings', () => {
    expect(policyItem('a"b\\c\u00e9', 1, 1000)).toBe('"a\\"b\\\\c";q=1;w=1');
  });

  it('appends items to a list already on the response', () => {
    expect(appendItem(undefined, '"a";r=1')).toBe('"a";r=1');
    expect(appendItem('"a";r=1', '"b";r=2')).toBe('"a";r=1, "b";r=2');
  });
});
