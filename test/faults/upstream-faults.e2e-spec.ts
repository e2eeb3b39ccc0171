import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { type FaultProxy, startFaultProxy } from '../utils/fault-proxy';
import { behave, type UpstreamBehaviour, UpstreamServer } from '../utils/upstream-server';
import { drive, printScenario, timeRecovery, watchLive } from './upstream-and-redis-load';

const TIMEOUT_MS = 500; // PROFILE_SERVICE_TIMEOUT_MS, short so the file stays well under a minute
const HANG_BOUND_MS = TIMEOUT_MS + 2000; // the call's timeout + a generous margin on a loaded machine
const FAULT_MS = 1500;
// The breaker stays open 10 s (halfOpenAfterMs) after the fault made it trip; then one trial closes it.
const RECOVERY_BOUND_MS = 20_000;
const PROFILE = { displayName: 'Ada', avatarUrl: null, bio: null };

/** A 200 whose JSON body stops half-way: the connection is destroyed after the first bytes. */
const resetMidBody: UpstreamBehaviour = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
  res.write('{"displayName":"Ad');
  setTimeout(() => req.socket.destroy(), 20);
};
/** Headers only after twice the call's timeout. */
const slowHeaders: UpstreamBehaviour = behave.slow(TIMEOUT_MS * 3, PROFILE);
/** Headers at once, the body trickling: its end only after three times the call's timeout. */
const slowBody: UpstreamBehaviour = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"displayName":');
  const timer = setTimeout(() => res.end('"Ada","avatarUrl":null,"bio":null}'), TIMEOUT_MS * 3);
  res.on('close', () => clearTimeout(timer));
};

/*
 * The upstream rows of the fault matrix (issue 15): the real app's example GET /api/v1/users/:id/profile through
 * the http-client, PROFILE_SERVICE_URL through a fault proxy in front of a real local HTTP server. The route
 * degrades (docs/http-client.md): always 200, with `profileStatus` saying why the profile is missing.
 */
describe('upstream faults on GET /api/v1/users/:id/profile', () => {
  let upstream: UpstreamServer;
  let proxy: FaultProxy;
  let t: TestApp;
  let baseUrl: string;
  let userId: string;

  beforeAll(async () => {
    upstream = await new UpstreamServer(behave.json(PROFILE)).start();
    proxy = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(upstream.url).port) });
    t = await createTestApp({
      PROFILE_SERVICE_URL: `http://127.0.0.1:${proxy.port}/`,
      PROFILE_SERVICE_TIMEOUT_MS: String(TIMEOUT_MS),
      LOG_LEVEL: 'error',
    });
    await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
    const created = await fetch(`${baseUrl}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', name: 'Ada' }),
    });
    expect(created.status).toBe(201);
    userId = ((await created.json()) as { id: string }).id;
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await upstream?.stop();
  });

  /** `<status>/<profileStatus>`; a 5xx other than the documented 504 would show as such and fail. */
  async function profileRequest(signal: AbortSignal): Promise<string> {
    const res = await fetch(`${baseUrl}/api/v1/users/${userId}/profile`, { signal });
    const body = (await res.json()) as { profileStatus?: string };
    return `${res.status}/${body.profileStatus ?? '-'}`;
  }
  const served = async () => (await profileRequest(AbortSignal.timeout(HANG_BOUND_MS))) === '200/ok';

  const SCENARIOS: Array<{ name: string; fault: () => Promise<void>; heal: () => Promise<void> }> = [
    { name: 'black hole', fault: () => proxy.setMode('blackhole'), heal: () => proxy.setMode('pass') },
    {
      name: 'reset mid-body',
      fault: () => Promise.resolve(void (upstream.behaviour = resetMidBody)),
      heal: () => Promise.resolve(void (upstream.behaviour = behave.json(PROFILE))),
    },
    {
      name: 'slow headers',
      fault: () => Promise.resolve(void (upstream.behaviour = slowHeaders)),
      heal: () => Promise.resolve(void (upstream.behaviour = behave.json(PROFILE))),
    },
    {
      name: 'slow body',
      fault: () => Promise.resolve(void (upstream.behaviour = slowBody)),
      heal: () => Promise.resolve(void (upstream.behaviour = behave.json(PROFILE))),
    },
  ];

  it.each(SCENARIOS)(
    '$name: 200 with a documented profileStatus, none past the timeout, live and ready 200, ok again after',
    async ({ name, fault, heal }) => {
      await timeRecovery(served, RECOVERY_BOUND_MS); // healthy first (the previous fault's breaker closed again)

      await fault();
      const load = drive(FAULT_MS, 4, profileRequest, HANG_BOUND_MS);
      const liveStatuses = await watchLive(baseUrl, load);
      const { sent, statuses, worstMs } = await load;
      const readyDuringFault = (await fetch(`${baseUrl}/health/ready`)).status;

      await heal();
      const recoveryMs = await timeRecovery(served, RECOVERY_BOUND_MS);
      printScenario({ name: `upstream ${name}`, sent, statuses, worstMs, liveStatuses, recoveryMs });

      const allowed = ['200/ok', '200/timeout', '200/unavailable', '200/circuit_open'];
      expect([...statuses.keys()].filter((s) => !allowed.includes(s))).toEqual([]);
      // The fault was seen by clients (not all answers ok).
      expect(sent - (statuses.get('200/ok') ?? 0)).toBeGreaterThan(0);
      expect(worstMs).toBeLessThan(HANG_BOUND_MS);
      expect([...liveStatuses.keys()]).toEqual(['200']);
      // Upstreams are off the readiness path by default (docs/http-client.md).
      expect(readyDuringFault).toBe(200);
      expect(recoveryMs).toBeLessThan(RECOVERY_BOUND_MS);
    },
    45_000,
  );
});
