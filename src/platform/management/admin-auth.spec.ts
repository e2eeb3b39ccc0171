import type { IncomingMessage } from 'node:http';
import { AdminAuth } from './admin-auth';
import { ADMIN_FAILURE_BURST } from './management.constants';
import type { ManagementProblem } from './management-http';

const TOKEN = 'unit-test-token-0123456789';

function request(authorization?: string): IncomingMessage {
  return {
    method: 'GET',
    url: '/admin/log-level',
    headers: authorization ? { authorization } : {},
    socket: { remoteAddress: '10.0.0.7' },
  } as IncomingMessage;
}

function statusOf(auth: AdminAuth, req: IncomingMessage): number {
  try {
    auth.check(req);
    return 200;
  } catch (error) {
    return (error as ManagementProblem).status;
  }
}

describe(AdminAuth.name, () => {
  it('answers 404 for everything when no token is configured', () => {
    const auth = new AdminAuth(undefined);
    expect(auth.enabled).toBe(false);
    expect(statusOf(auth, request(`Bearer ${TOKEN}`))).toBe(404);
  });

  it('accepts exactly the configured bearer token, in any scheme case', () => {
    const auth = new AdminAuth(TOKEN);
    expect(statusOf(auth, request(`Bearer ${TOKEN}`))).toBe(200);
    expect(statusOf(auth, request(`bearer ${TOKEN}`))).toBe(200);
    for (const header of [undefined, TOKEN, `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, 'Bearer '])
      expect({ header, status: statusOf(auth, request(header)) }).toEqual({ header, status: 401 });
  });

  it('answers 429 once the failures exceed the bucket, while the right token still passes', () => {
    const auth = new AdminAuth(TOKEN);
    const statuses = Array.from({ length: ADMIN_FAILURE_BURST + 2 }, () => statusOf(auth, request('Bearer wrong-token-wrong-token')));
    expect(statuses.slice(0, ADMIN_FAILURE_BURST)).toEqual(Array<number>(ADMIN_FAILURE_BURST).fill(401));
    expect(statuses.slice(ADMIN_FAILURE_BURST)).toEqual([429, 429]);
    expect(statusOf(auth, request(`Bearer ${TOKEN}`))).toBe(200);
  });
});
