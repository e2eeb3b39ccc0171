import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { UserResponse } from './user.response';

/** Profile texts are bounded by the profile service's response limit (1 MiB, the HTTP client's default). */
const PROFILE_TEXT_MAX_LENGTH = 1024 * 1024;

/** Profile data from the profile service; fields it does not send are null. */
export class UserProfile {
  @ApiProperty({ type: String, nullable: true, maxLength: PROFILE_TEXT_MAX_LENGTH })
  displayName!: string | null;

  @ApiProperty({ type: String, nullable: true, maxLength: PROFILE_TEXT_MAX_LENGTH })
  avatarUrl!: string | null;

  @ApiProperty({ type: String, nullable: true, maxLength: PROFILE_TEXT_MAX_LENGTH })
  bio!: string | null;
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
export const PROFILE_STATUSES = ['ok', 'not_found', 'disabled', 'unavailable', 'timeout', 'circuit_open'] as const;

/** See {@link PROFILE_STATUSES}. */
export type ProfileStatus = (typeof PROFILE_STATUSES)[number];

/** `GET /api/v1/users/:id/profile`: the stored user, enriched when the profile service delivers. */
@ApiExtraModels(UserProfile)
export class UserWithProfileResponse extends UserResponse {
  // OpenAPI 3.0's `nullable` only widens a `type` in the same schema object, never a `$ref`/`allOf` (what
  // `{ type: UserProfile, nullable: true }` renders): validators then refuse `null`. One of the object or null.
  @ApiProperty({
    oneOf: [{ $ref: getSchemaPath(UserProfile) }, { type: 'object', nullable: true, enum: [null] }],
    description: 'The profile; null unless `profileStatus` is `ok`.',
  })
  profile!: UserProfile | null;

  @ApiProperty({ enum: PROFILE_STATUSES, description: 'What became of the profile lookup; the request never fails on it.' })
  profileStatus!: ProfileStatus;
}
