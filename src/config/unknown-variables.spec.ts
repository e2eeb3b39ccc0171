import { editDistance, unknownVariableWarnings } from './unknown-variables';

describe(unknownVariableWarnings.name, () => {
  const known = ['RATE_LIMIT_BURST', 'DB_POOL_MAX', 'DB_POOL_MIN', 'LOG_LEVEL', 'HOST', 'PORT'];

  it('names the closest known variable for a typo and for an unknown name with a Ballast prefix', () => {
    expect(unknownVariableWarnings({ RATE_LIMT_BURST: '5', DB_POOL_MAXX: '3', DB_SOMETHING_ELSE: '1' }, known)).toEqual([
      expect.stringMatching(/^DB_POOL_MAXX .*did you mean DB_POOL_MAX\?/),
      expect.stringMatching(/^DB_SOMETHING_ELSE .*no variable of that name exists/),
      expect.stringMatching(/^RATE_LIMT_BURST .*did you mean RATE_LIMIT_BURST\?/),
    ]);
  });

  it('leaves the rest of the environment alone: short names, shared prefixes, lower case, known names', () => {
    const env = {
      HOME: '/root',
      PATH: '/bin',
      HOSTNAME: 'vm',
      HTTP_PROXY: 'x',
      NODE_OPTIONS: '',
      OTEL_RESOURCE_ATTRIBUTES: 'a=b',
      npm_config_cache: 'x',
      DB_POOL_MAX: '3',
    };
    expect(unknownVariableWarnings(env, known)).toEqual([]);
  });
});

describe(editDistance.name, () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('DB_POOL_MXA', 'DB_POOL_MAX')).toBe(1);
    expect(editDistance('RATE_LIMT_BURST', 'RATE_LIMIT_BURST')).toBe(1);
    expect(editDistance('', 'ABC')).toBe(3);
  });
});
