import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { USERS_PAGE } from '../users.constants';

/** Query of `GET /api/v1/users`: a bounded page size and an opaque cursor. */
export class ListUsersQuery {
  /** @default 20 */
  @ApiPropertyOptional({ minimum: 1, maximum: USERS_PAGE.maxLimit, default: USERS_PAGE.defaultLimit })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(USERS_PAGE.maxLimit)
  limit: number = USERS_PAGE.defaultLimit;

  /** `nextCursor` of the previous page. */
  @ApiPropertyOptional({ description: '`nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor must be a cursor returned by this API' })
  cursor?: string;
}
