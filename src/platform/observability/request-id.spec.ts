import { REQUEST_ID_MAX_LENGTH, requestIdFrom } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe(requestIdFrom.name, () => {
  it.each(['abc', '0193a-7f', 'trace:span/1+2=', 'A_b.c-D', 'x'.repeat(REQUEST_ID_MAX_LENGTH)])('keeps the sane id %s', (id) => {
    expect(requestIdFrom(id)).toBe(id);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['too long', 'x'.repeat(REQUEST_ID_MAX_LENGTH + 1)],
    ['a space', 'a b'],
    ['a repeated header (joined by Node)', 'a, b'],
    ['a newline', 'a\nb'],
    ['quotes', 'a"b'],
    ['non-ASCII', 'é'],
    ['an array', ['a', 'b']],
  ])('replaces an id that is %s with a new UUID', (_what, header) => {
    expect(requestIdFrom(header)).toMatch(UUID);
  });
});
