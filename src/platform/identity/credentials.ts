import type { IncomingHttpHeaders } from 'node:http';
import { MAX_CREDENTIAL_LENGTH } from './identity.constants';
import { AuthenticationError } from './identity.errors';

/** The credential a request carries. */
export type Credential = { kind: 'bearer'; token: string } | { kind: 'api_key'; key: string } | undefined;

const SCHEME = 'bearer ';

/**
 * Reads `Authorization: Bearer <token>` or `X-API-Key: <key>`; undefined when neither is present. A malformed,
 * oversized, repeated or doubled credential is a 401 `invalid_request`: never guessed at, never half-read.
 */
export function credentialOf(headers: IncomingHttpHeaders): Credential {
  const authorization = headers.authorization;
  const apiKey = headers['x-api-key'];
  if (authorization === undefined && apiKey === undefined) return undefined;
  if (authorization !== undefined && apiKey !== undefined) {
    throw new AuthenticationError('invalid_request', 'Send one credential: Authorization or X-API-Key, not both.');
  }
  if (apiKey !== undefined) {
    if (typeof apiKey !== 'string' || apiKey === '' || apiKey.length > MAX_CREDENTIAL_LENGTH) {
      throw new AuthenticationError('invalid_request', 'The X-API-Key header is malformed.');
    }
    return { kind: 'api_key', key: apiKey };
  }
  if (authorization!.length > MAX_CREDENTIAL_LENGTH + 7) {
    throw new AuthenticationError('invalid_request', 'The Authorization header is too large.');
  }
  // No regex over the token: it is read on every request, and jose rejects a malformed one on the uncached path.
  const token = authorization!.slice(SCHEME.length).trim();
  if (authorization!.slice(0, SCHEME.length).toLowerCase() !== SCHEME || token === '' || token.includes(' ')) {
    throw new AuthenticationError('invalid_request', 'The Authorization header must be "Bearer <token>".');
  }
  return { kind: 'bearer', token };
}
