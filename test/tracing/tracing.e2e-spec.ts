import type { AppProcess } from '../utils/app-process';
import { behave, type UpstreamServer } from '../utils/upstream-server';
import { type OtlpReceiver, type ReceivedSpan, SPAN_KIND, spanTree } from './otlp-receiver';
import { PROFILE_OK, startTracedApp, type TracedApp } from './traced-app';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const TREE_KEYS = [
  'http.route',
  'http.response.status_code',
  'ballast.request_id',
  'db.system.name',
  'db.query.text',
  'ballast.refusal.reason',
];

function only(spans: ReceivedSpan[], predicate: (span: ReceivedSpan) => boolean): ReceivedSpan {
  const found = spans.filter(predicate);
  if (found.length !== 1) throw new Error(`expected one span, found ${found.length} in:\n${spanTree(spans, TREE_KEYS)}`);
  return found[0];
}

function logLines(app: AppProcess): Record<string, unknown>[] {
  return app
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('tracing of node dist/main.js to a real OTLP/HTTP receiver', () => {
  let traced: TracedApp;
  let receiver: OtlpReceiver;
  let upstream: UpstreamServer;
  let app: AppProcess;
  let userId: string;

  beforeAll(async () => {
    traced = await startTracedApp({ OTEL_SERVICE_NAME: 'ballast-under-test', HTTP_CONCURRENCY_LIMIT: '1', BODY_LIMIT_BYTES: '1000' });
    ({ receiver, upstream, app } = traced);
    const created = await fetch(`${app.baseUrl}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', name: 'Ada' }),
    });
    expect(created.status).toBe(201);
    userId = ((await created.json()) as { id: string }).id;
  }, 60_000);

  afterAll(async () => {
    await traced?.close();
  });

  it('starts the SDK before pg, undici and Nest load (nothing was loaded too early)', async () => {
    await app.waitForOutput('tracing to http://127.0.0.1');
    expect(app.output()).not.toContain('go untraced');
    expect(app.output()).not.toContain('the SDK did not start');
  });

  it('records GET /api/v1/users/:id as SERVER → handler → SQL, with the route, status, request id and no parameter values', async () => {
    const res = await fetch(`${app.baseUrl}/api/v1/users/${userId}`, { headers: { 'x-request-id': 'trace-tree-1' } });
    expect(res.status).toBe(200);
    const spans = await receiver.waitFor(
      (all) => all.some((s) => s.attributes['ballast.request_id'] === 'trace-tree-1') && all.some((s) => s.name.startsWith('pg.query')),
    );
    const server = only(spans, (s) => s.attributes['ballast.request_id'] === 'trace-tree-1');
    const trace = await receiver
      .waitFor(() => receiver.trace(server.traceId).some((s) => s.kind === SPAN_KIND.client && s.name.startsWith('pg.query')))
      .then(() => receiver.trace(server.traceId));
    // Printed for the report: the span tree as the receiver saw it.
    process.stdout.write(`span tree of GET /api/v1/users/:id:\n${spanTree(trace, TREE_KEYS)}\n`);
    expect(server).toMatchObject({
      name: 'GET /api/v1/users/:id',
      kind: SPAN_KIND.server,
      parentSpanId: expect.stringMatching(/^$|^undefined$/),
      serviceName: 'ballast-under-test',
    });
    expect(server.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/api/v1/users/:id',
      'http.response.status_code': 200,
      'url.path': `/api/v1/users/${userId}`,
    });
    const handler = only(trace, (s) => s.name === 'UsersController.findOne');
    expect(handler.parentSpanId).toBe(server.spanId);
    const queries = trace.filter((s) => s.kind === SPAN_KIND.client && s.name.startsWith('pg.query'));
    expect(queries.length).toBeGreaterThan(0);
    for (const query of queries) {
      expect(query.parentSpanId).toBe(handler.spanId);
      expect(query.attributes['db.system.name']).toBe('postgresql');
      expect(String(query.attributes['db.query.text'])).toMatch(/\$1/);
      expect(JSON.stringify(query.attributes)).not.toContain(userId);
    }
    // The wait before the query: the checkout (permit, then the pool's acquire as its child).
    const checkout = only(trace, (s) => s.name === 'db.checkout');
    expect(checkout.parentSpanId).toBe(handler.spanId);
    expect(trace.filter((s) => s.name === 'pg-pool.connect').every((s) => s.parentSpanId === checkout.spanId)).toBe(true);
  });

  it('puts trace ids on the latency histogram as exemplars, served as OpenMetrics when asked, Prometheus text otherwise', async () => {
    const res = await fetch(`${app.baseUrl}/api/v1/users/${userId}`, { headers: { 'x-request-id': 'trace-exemplar-1' } });
    expect(res.status).toBe(200);
    const server = await receiver.spanOfRequest('trace-exemplar-1');
    const open = await fetch(`${app.baseUrl}/metrics`, {
      headers: { accept: 'application/openmetrics-text; version=1.0.0,text/plain;q=0.5' },
    });
    expect(open.headers.get('content-type')).toMatch(/^application\/openmetrics-text/);
    const openText = await open.text();
    expect(openText).toMatch(
      new RegExp(
        `^http_request_duration_seconds_bucket\\{[^}]*route="/api/v1/users/:id"[^}]*\\} \\d+ # \\{trace_id="${server.traceId}"\\}`,
        'm',
      ),
    );
    expect(openText.trimEnd().endsWith('# EOF')).toBe(true);
    // The default stays Prometheus text, counters keep their _total names after an OpenMetrics scrape.
    const plain = await fetch(`${app.baseUrl}/metrics`);
    expect(plain.headers.get('content-type')).toMatch(/^text\/plain/);
    const plainText = await plain.text();
    expect(plainText).not.toContain('# {trace_id=');
    expect(plainText).toMatch(/^http_requests_total\{/m);
    expect(plainText).toMatch(/^tracing_spans_dropped_total 0$/m);
  });

  it('continues the trace of an incoming traceparent', async () => {
    const res = await fetch(`${app.baseUrl}/api/v1/users/${userId}`, { headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` } });
    expect(res.status).toBe(200);
    await receiver.waitFor(() => receiver.trace(TRACE_ID).some((s) => s.kind === SPAN_KIND.server));
    const server = only(receiver.trace(TRACE_ID), (s) => s.kind === SPAN_KIND.server);
    expect(server.parentSpanId).toBe(PARENT_ID);
  });

  it('records an outbound call as a CLIENT span whose context is the traceparent the upstream receives', async () => {
    upstream.headers.length = 0;
    const res = await fetch(`${app.baseUrl}/api/v1/users/${userId}/profile`, { headers: { 'x-request-id': 'trace-outbound-1' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { profileStatus: string }).profileStatus).toBe('ok');
    const sent = String(upstream.headers[0]?.traceparent);
    const [, traceId, parentId] = sent.split('-');
    expect(upstream.headers[0]?.['x-request-id']).toBe('trace-outbound-1');
    await receiver.waitFor(() => receiver.trace(traceId).some((s) => s.spanId === parentId));
    const trace = receiver.trace(traceId);
    const client = only(trace, (s) => s.spanId === parentId);
    expect(client.kind).toBe(SPAN_KIND.client);
    expect(client.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 200 });
    const call = only(trace, (s) => s.spanId === client.parentSpanId);
    expect(call).toMatchObject({
      name: 'outbound profile',
      attributes: expect.objectContaining({
        'ballast.outbound.upstream': 'profile',
        'ballast.outbound.circuit_state': 'closed',
        'ballast.outbound.retries': 0,
      }),
    });
    expect(only(trace, (s) => s.spanId === call.parentSpanId).name).toBe('UsersController.findOneWithProfile');
  });

  it('records a retried outbound call: one CLIENT span per attempt under the call span, which counts the retry', async () => {
    let attempts = 0;
    upstream.behaviour = (req, res) => (attempts++ === 0 ? behave.status(503)(req, res) : PROFILE_OK(req, res));
    try {
      const res = await fetch(`${app.baseUrl}/api/v1/users/${userId}/profile`, { headers: { 'x-request-id': 'trace-retry-1' } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { profileStatus: string }).profileStatus).toBe('ok');
    } finally {
      upstream.behaviour = PROFILE_OK;
    }
    expect(attempts).toBe(2);
    const server = await receiver.spanOfRequest('trace-retry-1');
    await receiver.waitFor(
      () => receiver.trace(server.traceId).filter((s) => s.kind === SPAN_KIND.client && s.attributes['http.request.method']).length >= 2,
    );
    const trace = receiver.trace(server.traceId);
    const call = only(trace, (s) => s.name === 'outbound profile');
    expect(call.attributes).toMatchObject({ 'ballast.outbound.retries': 1, 'ballast.outbound.circuit_state': 'closed' });
    const tries = trace.filter((s) => s.kind === SPAN_KIND.client && s.parentSpanId === call.spanId);
    expect(tries.map((s) => s.attributes['http.response.status_code']).sort()).toEqual([200, 503]);
  });

  it('gives every log line of a request the trace_id and span_id of the span it was written in', async () => {
    upstream.behaviour = behave.json({ nope: true }, 418);
    try {
      const res = await fetch(`${app.baseUrl}/api/v1/users/${userId}/profile`, { headers: { 'x-request-id': 'trace-logs-1' } });
      expect(res.status).toBe(200);
      await app.waitForOutput(/"requestId":"trace-logs-1".*"msg":"request completed"/);
    } finally {
      upstream.behaviour = PROFILE_OK;
    }
    const lines = logLines(app).filter((line) => line['requestId'] === 'trace-logs-1');
    const warning = lines.find((line) => String(line['msg']).includes('profile service answered 418'));
    const requestLine = lines.find((line) => line['msg'] === 'request completed');
    const server = await receiver.spanOfRequest('trace-logs-1');
    expect(requestLine).toMatchObject({ trace_id: server.traceId, span_id: server.spanId });
    await receiver.waitFor(() => receiver.trace(server.traceId).some((s) => s.name === 'UsersController.findOneWithProfile'));
    const handler = only(receiver.trace(server.traceId), (s) => s.name === 'UsersController.findOneWithProfile');
    expect(warning).toMatchObject({ trace_id: server.traceId, span_id: handler.spanId });
  });

  it.each([
    [
      '415, a body that is not JSON',
      { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' },
      415,
      'unsupported-media-type',
    ],
    [
      '413, a body over BODY_LIMIT_BYTES',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(2000) }) },
      413,
      'payload-too-large',
    ],
  ])('records a request refused at the edge (%s) with its status and the reason', async (_what, init, status, reason) => {
    const id = `trace-refused-${status}`;
    const res = await fetch(`${app.baseUrl}/api/v1/users`, { ...init, headers: { ...init.headers, 'x-request-id': id } });
    expect(res.status).toBe(status);
    const server = await receiver.spanOfRequest(id);
    expect(server.kind).toBe(SPAN_KIND.server);
    expect(server.attributes['http.response.status_code']).toBe(status);
    expect(server.attributes['ballast.refusal.reason']).toBe(reason);
  });

  it('records a request shed by admission control (503, before Express) with the reason', async () => {
    upstream.behaviour = behave.hang();
    const held = fetch(`${app.baseUrl}/api/v1/users/${userId}/profile`);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const res = await fetch(`${app.baseUrl}/api/v1/users/${userId}`, { headers: { 'x-request-id': 'trace-shed-1' } });
      expect(res.status).toBe(503);
    } finally {
      await held;
      upstream.behaviour = PROFILE_OK;
    }
    const server = await receiver.spanOfRequest('trace-shed-1');
    expect(server).toMatchObject({
      kind: SPAN_KIND.server,
      attributes: expect.objectContaining({ 'http.response.status_code': 503, 'ballast.refusal.reason': 'concurrency-limit' }),
    });
  });
});
