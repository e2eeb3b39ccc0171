import type { UserResponse } from './user.response';

/** Profile data from the profile service; fields it does not send are null. */
export interface UserProfile {
  displayName: string | null;
  avatarUrl: string | null;
  bio: string | null;
}

/**
 * What became of the profile lookup, so a client can tell "no profile" from "profile service in trouble":
 * - `ok`: `profile` holds it;
 * - `not_found`: the profile service has none for this user;
 * - `disabled`: PROFILE_SERVICE_URL is not set;
 * - `unavailable`: the service failed, is unreachable, answered unusably, or too many calls to it are in flight;
 * - `timeout`: it did not answer within PROFILE_SERVICE_TIMEOUT_MS (or the request's remaining deadline);
 * - `circuit_open`: it failed repeatedly just before, so it is not called for a cool-down.
 */
export type ProfileStatus = 'ok' | 'not_found' | 'disabled' | 'unavailable' | 'timeout' | 'circuit_open';

/** `GET /api/v1/users/:id/profile`: the stored user, enriched when the profile service delivers. */
export interface UserWithProfileResponse extends UserResponse {
  profile: UserProfile | null;
  profileStatus: ProfileStatus;
}
