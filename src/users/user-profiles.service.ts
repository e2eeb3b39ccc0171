import { Injectable, Logger } from '@nestjs/common';
import { ProblemError } from '../platform/errors';
import { CircuitOpenError, type HttpClient, InjectHttpClient, UpstreamTimeoutError } from '../platform/http-client';
import type { ProfileStatus, UserProfile } from './dto/user-profile.response';
import { PROFILE_UPSTREAM } from './users.constants';

/**
 * Profiles from the profile service (PROFILE_SERVICE_URL). Degrades instead of failing: the user itself is
 * local data and worth answering, so a slow, failing or saturated profile service yields `profile: null` and a
 * `profileStatus` saying why, with 200. A feature for which the upstream's data is essential would let the
 * client's errors through instead (503/504 problem+json, see docs/http-client.md).
 */
@Injectable()
export class UserProfilesService {
  private readonly logger = new Logger('UserProfiles');

  constructor(@InjectHttpClient(PROFILE_UPSTREAM) private readonly profiles: HttpClient) {}

  /** The profile of user `id`, or null with the reason. */
  async profileOf(id: string): Promise<{ profile: UserProfile | null; profileStatus: ProfileStatus }> {
    if (!this.profiles.enabled) return { profile: null, profileStatus: 'disabled' };
    try {
      const response = await this.profiles.get(`/profiles/${encodeURIComponent(id)}`);
      if (response.status === 404) return { profile: null, profileStatus: 'not_found' };
      if (response.status !== 200 || !isObject(response.body)) {
        this.logger.warn(`profile service answered ${response.status} with ${typeof response.body}: treated as unavailable`);
        return { profile: null, profileStatus: 'unavailable' };
      }
      return { profile: toUserProfile(response.body), profileStatus: 'ok' };
    } catch (error) {
      const profileStatus = degradedStatus(error);
      if (!profileStatus) throw error;
      return { profile: null, profileStatus };
    }
  }
}

/** The status for a client error worth degrading on; undefined for the request's own abort (deadline, client gone). */
function degradedStatus(error: unknown): ProfileStatus | undefined {
  if (error instanceof UpstreamTimeoutError) return 'timeout';
  if (error instanceof CircuitOpenError) return 'circuit_open';
  // Upstream unavailable, or no permit / no room in its queue.
  if (error instanceof ProblemError && error.status === 503) return 'unavailable';
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keeps only the documented fields, as strings: the upstream's other data never reaches our clients. */
function toUserProfile(body: Record<string, unknown>): UserProfile {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return { displayName: text(body.displayName), avatarUrl: text(body.avatarUrl), bio: text(body.bio) };
}
