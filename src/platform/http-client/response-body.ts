import type { IncomingHttpHeaders } from 'node:http';
import { UpstreamUnavailableError } from './http-client.errors';

/** An answer's body: parsed JSON for a JSON content type, the text otherwise, `undefined` when empty; JSON that does not parse is unusable (503). */
export function decodeResponseBody(upstream: string, headers: IncomingHttpHeaders, text: string): unknown {
  if (text === '') return undefined;
  const type = String(headers['content-type'] ?? '');
  if (!/[/+]json\b/i.test(type)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UpstreamUnavailableError(upstream, 'invalid_response', undefined, error);
  }
}
