import { writeFileSync } from 'node:fs';
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { OpenApiResponseValidator } from './openapi-response-validator';

/** Bodies beyond this are cut (the /metrics text is the largest: well under it). */
const MAX_CAPTURED_BYTES = 16 * 1024 * 1024;

/** Tallies of this test file (one jest worker runs one file at a time). */
const tally = { validated: 0, skipped: {} as Record<string, number>, failures: [] as string[] };

/**
 * Validates every response `server` sends against `document` (the app's own /docs-json): a `request` listener
 * placed first captures status, headers and body; when the response finishes it is checked, and problems wait
 * in {@link takeContractFailures} for the test's afterEach (test/contract/contract-hooks.ts).
 * Responses Node writes itself on a parse error (raw-socket 400/431 of hostile-input tests) never reach a
 * `request` listener, so they are outside the check by construction: the document cannot describe them.
 */
export function recordResponses(server: Server, document: object): void {
  const validator = new OpenApiResponseValidator(document as ConstructorParameters<typeof OpenApiResponseValidator>[0]);
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let headArgs: OutgoingHttpHeaders = {};
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function' || size > MAX_CAPTURED_BYTES) return;
      const buffer = Buffer.isBuffer(chunk)
        ? chunk
        : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      chunks.push(buffer);
      size += buffer.length;
    };
    const { write, end, writeHead } = res;
    res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
      keep(chunk, rest[0]);
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as ServerResponse['write'];
    res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
      keep(chunk, rest[0]);
      return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
    } as ServerResponse['end'];
    // Headers handed to writeHead() directly are not in getHeaders().
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      const headers = args.find((arg, i) => i > 0 && typeof arg === 'object' && arg !== null);
      if (headers && !Array.isArray(headers)) headArgs = headers as OutgoingHttpHeaders;
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    };
    res.once('finish', () => {
      const headers: OutgoingHttpHeaders = { ...res.getHeaders() };
      for (const [name, value] of Object.entries(headArgs)) headers[name.toLowerCase()] = value;
      const outcome = validator.validate({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        status: res.statusCode,
        headers,
        body: Buffer.concat(chunks),
      });
      if (!outcome.validated) {
        tally.skipped[outcome.reason] = (tally.skipped[outcome.reason] ?? 0) + 1;
        return;
      }
      tally.validated++;
      tally.failures.push(...outcome.problems);
    });
  });
}

/** Problems found since the last call (and forgets them). */
export function takeContractFailures(): string[] {
  return tally.failures.splice(0);
}

/** Writes this file's counts where global-teardown sums them (BALLAST_CONTRACT_DIR, set by global-setup). */
export function saveContractTally(testPath: string | undefined): void {
  const dir = process.env['BALLAST_CONTRACT_DIR'];
  if (!dir || !testPath) return;
  const name = testPath.replace(/[^\w.-]+/g, '_');
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ validated: tally.validated, skipped: tally.skipped }));
}
