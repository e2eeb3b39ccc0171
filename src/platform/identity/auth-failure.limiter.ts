import { Inject, Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import type { IncomingMessage } from 'node:http';
import { MemoryTokenBucketStorage, RateLimitedError } from '../rate-limit';
import { clientIpOf, IPV6_CLIENT_PREFIX } from '../request-context/request-context';
import { IDENTITY_MODULE_OPTIONS, type IdentityModuleOptions } from './identity.module-definition';

/**
 * A strict per-IP token bucket for failed authentications (credential stuffing, token guessing): each failure
 * takes a token; with none left the answer is 429 instead of 401 until the bucket refills. Kept in process: a
 * stuffing client is slowed on every replica it reaches, and no Redis round trip is added to a failure.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly buckets = new MemoryTokenBucketStorage({ maxKeys: 100_000 });
  private readonly intervalMs: number;
  private readonly burst: number;

  constructor(@Inject(IDENTITY_MODULE_OPTIONS) options: IdentityModuleOptions) {
    this.burst = options.failuresPerMinute ?? 20;
    this.intervalMs = 60_000 / this.burst;
  }

  /** Takes a token for a failure of `req`'s client: the 429 to answer when none was left, else undefined. */
  take(req: IncomingMessage): RateLimitedError | undefined {
    const key = `auth-failure:${normalizeIp(clientIpOf(req) ?? '', IPV6_CLIENT_PREFIX)}`;
    const decision = this.buckets.take(key, this.intervalMs, this.burst);
    if (decision.allowed) return undefined;
    const retryAfter = Math.max(1, Math.ceil(decision.retryMs / 1000));
    return new RateLimitedError(retryAfter, {
      'RateLimit-Policy': `"auth-failures";q=${this.burst};w=60`,
      RateLimit: `"auth-failures";r=0;t=${retryAfter}`,
    });
  }
}
