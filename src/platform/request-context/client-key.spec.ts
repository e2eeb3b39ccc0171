import type { IncomingMessage } from 'node:http';
import { clientKeyOf, contextOf } from './request-context';

function requestFrom(address: string): IncomingMessage {
  return { headers: {}, socket: { remoteAddress: address } } as unknown as IncomingMessage;
}

describe(clientKeyOf.name, () => {
  it('keys an authenticated request by its principal, whatever its address', () => {
    const req = requestFrom('203.0.113.7');
    contextOf(req).principal = { id: 'key:0b4c', kind: 'api_key', scopes: new Set() };
    expect(clientKeyOf(req)).toBe('principal:key:0b4c');
  });

  it('keys an anonymous or unauthenticated request by its address, IPv6 by /64', () => {
    const anonymous = requestFrom('203.0.113.7');
    contextOf(anonymous).principal = { id: 'anonymous', kind: 'anonymous', scopes: new Set() };
    expect(clientKeyOf(anonymous)).toBe('ip:203.0.113.7');
    expect(clientKeyOf(requestFrom('2001:db8:1:2:aaaa::1'))).toBe(clientKeyOf(requestFrom('2001:db8:1:2:bbbb::2')));
    expect(clientKeyOf(requestFrom('2001:db8:1:2::1'))).not.toBe(clientKeyOf(requestFrom('2001:db8:1:3::1')));
  });
});
