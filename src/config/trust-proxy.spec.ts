import { ConfigValidationError, loadConfig } from './load-config';
import { parseTrustProxy } from './trust-proxy';

describe(parseTrustProxy.name, () => {
  it('reads false, a hop count, and lists of addresses, subnets and range names', () => {
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('')).toBe(false);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('loopback, 10.0.0.0/8 ,fd00::/8,192.168.1.1,10.1.0.0/255.255.0.0')).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.168.1.1',
      '10.1.0.0/255.255.0.0',
    ]);
  });

  it.each([['10.0.0.0/33'], ['not-an-ip'], ['loopback,300.1.1.1'], ['::1/129']])('refuses %s naming the bad entry', (value) => {
    expect(() => parseTrustProxy(value)).toThrow(/is not an address, a CIDR subnet/);
  });

  it('makes loadConfig stop the boot on a bad entry', () => {
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/8,bogus' })).toThrow(ConfigValidationError);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/8,bogus' })).toThrow(/TRUST_PROXY: "bogus" is not an address/);
  });
});
