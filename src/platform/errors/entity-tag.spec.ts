import { parseIfMatch, versionTag } from './entity-tag';

describe(parseIfMatch.name, () => {
  it('reads `*` as any version and a list of strong tags as those versions', () => {
    expect(parseIfMatch('*')).toEqual({ any: true });
    expect(parseIfMatch(versionTag(3))).toEqual({ any: false, versions: [3] });
    expect(parseIfMatch(' "3" , "7"')).toEqual({ any: false, versions: [3, 7] });
  });

  it('gives no version for a weak tag, a body hash or garbage, so that it never matches', () => {
    expect(parseIfMatch('W/"3"')).toEqual({ any: false, versions: [] });
    expect(parseIfMatch('W/"1d-0123456789abcdefghijklmnopq"')).toEqual({ any: false, versions: [] });
    expect(parseIfMatch('3')).toEqual({ any: false, versions: [] });
    expect(parseIfMatch(`"${'9'.repeat(16)}"`)).toEqual({ any: false, versions: [] });
  });
});
