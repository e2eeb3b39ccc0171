import { SPAN_KIND } from './otlp-receiver';
import { startTracedApp, type TracedApp } from './traced-app';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_ID = 'b7ad6b7169203331';

/**
 * A sampler that keeps no new trace (parentbased_traceidratio, ratio 0): what the unsampled share of traffic gets.
 * Its requests make no span, yet the trace goes on downstream with the sampled flag off, and a caller's sampled
 * trace is still followed.
 */
describe('tracing of unsampled requests (node dist/main.js, real OTLP/HTTP receiver)', () => {
  let t: TracedApp;
  let userId: string;

  beforeAll(async () => {
    t = await startTracedApp({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' });
    const created = await fetch(`${t.app.baseUrl}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'unsampled@example.com', name: 'U' }),
    });
    expect(created.status).toBe(201);
    userId = ((await created.json()) as { id: string }).id;
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('records no span for an unsampled request, and sends its trace on to the upstream with the sampled flag off', async () => {
    t.upstream.headers.length = 0;
    const res = await fetch(`${t.app.baseUrl}/api/v1/users/${userId}/profile`, { headers: { 'x-request-id': 'unsampled-1' } });
    expect(res.status).toBe(200);
    const sent = String(t.upstream.headers[0]?.traceparent);
    expect(sent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    await t.app.waitForOutput(/"requestId":"unsampled-1".*"msg":"request completed"/);
    const line = t.app
      .output()
      .split('\n')
      .find((l) => l.includes('"requestId":"unsampled-1"') && l.includes('request completed'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ trace_id: sent.split('-')[1] });
    // A sampled request after it, so the receiver has had its export: nothing of the unsampled one arrived.
    const sampled = await fetch(`${t.app.baseUrl}/api/v1/users/${userId}`, {
      headers: { 'x-request-id': 'sampled-after', traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` },
    });
    expect(sampled.status).toBe(200);
    const server = await t.receiver.spanOfRequest('sampled-after');
    expect(server).toMatchObject({ kind: SPAN_KIND.server, traceId: TRACE_ID, parentSpanId: PARENT_ID });
    expect(t.receiver.spans.filter((s) => s.traceId === sent.split('-')[1])).toEqual([]);
    expect(t.receiver.spans.some((s) => s.attributes['ballast.request_id'] === 'unsampled-1')).toBe(false);
  });

  it("continues a caller's unsampled trace without recording it: same trace id downstream, flag off", async () => {
    t.upstream.headers.length = 0;
    const res = await fetch(`${t.app.baseUrl}/api/v1/users/${userId}/profile`, {
      headers: { traceparent: `00-${TRACE_ID.replace('0a', '1b')}-${PARENT_ID}-00` },
    });
    expect(res.status).toBe(200);
    expect(String(t.upstream.headers[0]?.traceparent)).toMatch(new RegExp(`^00-${TRACE_ID.replace('0a', '1b')}-[0-9a-f]{16}-00$`));
  });
});
