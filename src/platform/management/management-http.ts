import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_PREFIX } from '../errors';
import { MANAGEMENT_BODY_LIMIT_BYTES } from './management.constants';

/** A refusal of a management endpoint, answered as problem+json by the router. */
export class ManagementProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = ManagementProblem.name;
  }
}

/** Answers `body` as JSON, never cached. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(payload.length),
    'Cache-Control': 'no-store',
  });
  res.end(payload);
}

/** Answers a problem+json body, the shape every other Ballast error has. */
export function sendProblem(res: ServerResponse, problem: ManagementProblem): void {
  const payload = Buffer.from(
    JSON.stringify({ type: `${PROBLEM_TYPE_PREFIX}${problem.slug}`, title: problem.title, status: problem.status, detail: problem.detail }),
  );
  res.writeHead(problem.status, {
    ...problem.headers,
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Content-Length': String(payload.length),
    'Cache-Control': 'no-store',
  });
  res.end(payload);
}

/** The request's JSON body (at most {@link MANAGEMENT_BODY_LIMIT_BYTES}); 413, 415 or 400 as ManagementProblem otherwise. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(req.headers['content-type'] ?? ''))
    throw new ManagementProblem(415, 'unsupported-media-type', 'Unsupported Media Type', 'the body must be application/json');
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > MANAGEMENT_BODY_LIMIT_BYTES)
      throw new ManagementProblem(413, 'payload-too-large', 'Payload Too Large', `the body exceeds ${MANAGEMENT_BODY_LIMIT_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ManagementProblem(400, 'malformed-json', 'Bad Request', 'the body is not valid JSON');
  }
}

/** A 400 naming what is wrong with the request. */
export function badRequest(detail: string): ManagementProblem {
  return new ManagementProblem(400, 'validation', 'Bad Request', detail);
}
