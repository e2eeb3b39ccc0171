import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** One span as the receiver decoded it from OTLP/JSON. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, string | number | boolean>;
  events: { name: string; attributes: Record<string, string | number | boolean> }[];
  serviceName: string;
}

/** OTLP span kinds. */
export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;

/** How the receiver answers an export: accept, refuse with a status, or never answer. */
export type ReceiverMode = 'accept' | 'refuse' | 'hang';

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type KeyValue = { key: string; value: AnyValue };

function attributesOf(list: KeyValue[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    out[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.boolValue ?? value.doubleValue ?? ''));
  }
  return out;
}

/**
 * A real OTLP/HTTP trace receiver on 127.0.0.1 (`POST /v1/traces`, the JSON encoding: the service under test
 * runs with OTEL_EXPORTER_OTLP_PROTOCOL=http/json), decoding every span it accepts. Its mode switches
 * between accepting, refusing (503) and hanging, to play a collector that is up, down or stuck.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Export requests received, whatever the answer. */
  requests = 0;
  mode: ReceiverMode = 'accept';
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** `OTEL_EXPORTER_OTLP_ENDPOINT` for the service. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Resolves when `predicate` holds over the spans received; rejects after `timeoutMs`. */
  async waitFor(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs = 10_000): Promise<ReceivedSpan[]> {
    const started = Date.now();
    while (!predicate(this.spans)) {
      if (Date.now() - started > timeoutMs)
        throw new Error(
          `spans not received within ${timeoutMs} ms; got:\n${this.spans.map((s) => `${s.name} ${s.spanId}<-${s.parentSpanId}`).join('\n')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.spans;
  }

  /** The one span that carries `ballast.request_id` = `requestId` (the request's SERVER span), once it arrived. */
  async spanOfRequest(requestId: string, timeoutMs?: number): Promise<ReceivedSpan> {
    const ofRequest = (spans: ReceivedSpan[]) => spans.filter((s) => s.attributes['ballast.request_id'] === requestId);
    const found = ofRequest(await this.waitFor((spans) => ofRequest(spans).length > 0, timeoutMs));
    if (found.length !== 1) throw new Error(`expected one span of request ${requestId}, found ${found.length}`);
    return found[0];
  }

  /** The spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests++;
    if (this.mode === 'hang') return;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (this.mode === 'refuse') {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      if (req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
        res.writeHead(415).end();
        return;
      }
      this.decode(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  }

  private decode(body: {
    resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { spans?: Record<string, unknown>[] }[] }[];
  }): void {
    for (const resourceSpans of body.resourceSpans ?? []) {
      const serviceName = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '');
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({
            traceId: String(span['traceId']),
            spanId: String(span['spanId']),
            parentSpanId: String((span['parentSpanId'] as string | undefined) ?? ''),
            name: String(span['name']),
            kind: Number(span['kind']),
            startTimeUnixNano: String(span['startTimeUnixNano']),
            endTimeUnixNano: String(span['endTimeUnixNano']),
            attributes: attributesOf(span['attributes'] as KeyValue[]),
            events: ((span['events'] as { name: string; attributes?: KeyValue[] }[] | undefined) ?? []).map((e) => ({
              name: e.name,
              attributes: attributesOf(e.attributes),
            })),
            serviceName,
          });
        }
      }
    }
  }
}

/** The spans of a trace as an indented tree (`name [kind] attributes`), for assertions' messages and the report. */
export function spanTree(spans: ReceivedSpan[], keys: string[] = []): string {
  const ids = new Set(spans.map((s) => s.spanId));
  const origin = spans.reduce(
    (min, s) => (BigInt(s.startTimeUnixNano) < min ? BigInt(s.startTimeUnixNano) : min),
    BigInt(spans[0]?.startTimeUnixNano ?? 0),
  );
  const lines: string[] = [];
  const walk = (parent: (s: ReceivedSpan) => boolean, depth: number): void => {
    // Start times come in whole milliseconds: ties are ordered by end time.
    const order = (a: ReceivedSpan, b: ReceivedSpan): number =>
      Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano)) || Number(BigInt(a.endTimeUnixNano) - BigInt(b.endTimeUnixNano));
    for (const span of spans.filter(parent).sort(order)) {
      const ms = Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6;
      const attrs = keys.filter((k) => span.attributes[k] !== undefined).map((k) => `${k}=${JSON.stringify(span.attributes[k])}`);
      const at = Number(BigInt(span.startTimeUnixNano) - origin) / 1e6;
      lines.push(
        `${'  '.repeat(depth)}${span.name} [${Object.keys(SPAN_KIND).find((k) => SPAN_KIND[k as keyof typeof SPAN_KIND] === span.kind)}] +${at.toFixed(2)} ms, ${ms.toFixed(2)} ms ${attrs.join(' ')}`.trimEnd(),
      );
      walk((s) => s.parentSpanId === span.spanId, depth + 1);
    }
  };
  walk((s) => !s.parentSpanId || !ids.has(s.parentSpanId), 0);
  return lines.join('\n');
}
