import { Logger } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ADMIN_FAILURE_BURST, ADMIN_FAILURES_PER_MINUTE } from './management.constants';
import { ManagementProblem } from './management-http';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * `Authorization: Bearer <MANAGEMENT_TOKEN>` for /admin/*. The token is compared as SHA-256 digests with
 * `timingSafeEqual` (equal lengths whatever was sent, so neither the content nor the length leaks through
 * timing). Failures draw from one process-wide bucket ({@link ADMIN_FAILURE_BURST}, refilled at
 * {@link ADMIN_FAILURES_PER_MINUTE}); when it is empty a failure gets 429 and is not logged again until the
 * bucket refills, so a guessing loop neither floods the log nor burns CPU. A correct token always passes: a flood
 * of wrong ones cannot lock the operator out (a 16+ character token is not guessed a few tries a minute).
 * Hand-written: a few lines, and the throttler is a Nest guard the plain node:http listener does not run.
 */
export class AdminAuth {
  private readonly logger = new Logger('Management');
  private readonly expected: Buffer | undefined;
  private tokens = ADMIN_FAILURE_BURST;
  private refilledAt = performance.now();
  private floodLogged = false;

  constructor(token: string | undefined) {
    this.expected = token === undefined ? undefined : digest(token);
  }

  /** Whether /admin/* exists at all (a token is configured). */
  get enabled(): boolean {
    return this.expected !== undefined;
  }

  /** Returns when the request carries the token; throws 404 (no token configured), 429 or 401 otherwise. */
  check(req: IncomingMessage): void {
    if (!this.expected) throw new ManagementProblem(404, 'not-found', 'Not Found', 'no such management endpoint');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (match?.[1] !== undefined && timingSafeEqual(digest(match[1]), this.expected)) return;
    this.refill();
    if (this.tokens < 1) {
      if (!this.floodLogged) this.logger.warn('management authentication failures over the limit: answering 429 and not logging each');
      this.floodLogged = true;
      throw new ManagementProblem(429, 'rate-limited', 'Too Many Requests', 'too many failed authentications; retry later', {
        'Retry-After': String(Math.ceil(60 / ADMIN_FAILURES_PER_MINUTE)),
      });
    }
    this.floodLogged = false;
    this.tokens -= 1;
    this.logger.warn(
      `management authentication failed (${match ? 'wrong token' : 'no bearer token'}) for ${req.method ?? ''} ${pathOf(req)} from ${req.socket.remoteAddress ?? 'unknown'}`,
    );
    throw new ManagementProblem(401, 'unauthorized', 'Unauthorized', 'a valid management bearer token is required', {
      'WWW-Authenticate': 'Bearer realm="management"',
    });
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(ADMIN_FAILURE_BURST, this.tokens + ((now - this.refilledAt) / 60_000) * ADMIN_FAILURES_PER_MINUTE);
    this.refilledAt = now;
  }
}

/** The request's path without its query (which is never logged). */
export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return (query === -1 ? url : url.slice(0, query)).slice(0, 256);
}
