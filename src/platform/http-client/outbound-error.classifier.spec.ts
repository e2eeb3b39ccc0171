import { errors } from 'undici';
import { classifyAttemptError } from './outbound-error.classifier';

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

describe(classifyAttemptError.name, () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'])('treats %s as a connection error', (code) => {
    expect(classifyAttemptError(systemError(code))).toBe('connect_error');
  });

  it('treats undici connect timeouts and socket errors (also when wrapped) as connection errors', () => {
    expect(classifyAttemptError(new errors.ConnectTimeoutError())).toBe('connect_error');
    expect(classifyAttemptError(new errors.SocketError('other side closed'))).toBe('connect_error');
    expect(classifyAttemptError(Object.assign(new Error('fetch failed'), { cause: systemError('ECONNRESET') }))).toBe('connect_error');
  });

  it('treats undici headers and body timeouts as timeouts', () => {
    expect(classifyAttemptError(new errors.HeadersTimeoutError())).toBe('timeout');
    expect(classifyAttemptError(new errors.BodyTimeoutError())).toBe('timeout');
  });

  it('treats an oversized or malformed response as invalid', () => {
    expect(classifyAttemptError(new errors.ResponseExceededMaxSizeError())).toBe('invalid_response');
    expect(classifyAttemptError(Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_CONSTANT' }))).toBe('invalid_response');
  });

  it('leaves programming errors and aborts unclassified', () => {
    expect(classifyAttemptError(new errors.InvalidArgumentError('bad header'))).toBeUndefined();
    expect(classifyAttemptError(new errors.RequestAbortedError())).toBeUndefined();
    expect(classifyAttemptError(new TypeError('x'))).toBeUndefined();
    expect(classifyAttemptError(undefined)).toBeUndefined();
  });
});
