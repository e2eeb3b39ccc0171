import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/** Page size bounds of every list endpoint. */
export const PAGE_LIMITS = { defaultLimit: 20, maxLimit: 100 } as const;

const LIMIT_MESSAGE = `limit must be an integer from 1 to ${PAGE_LIMITS.maxLimit}`;
const CURSOR_MAX_LENGTH = 64;
const CURSOR_PATTERN = /^[A-Za-z0-9_-]+$/;
const CURSOR_MESSAGE = 'cursor must be a cursor returned by this API';

/** Query of a cursor-paginated list: a bounded page size and an opaque cursor. Extend it to add filters. */
export class PageQuery {
  /** @default 20 */
  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: PAGE_LIMITS.maxLimit,
    default: PAGE_LIMITS.defaultLimit,
    description: 'Page size.',
  })
  @IsOptional()
  @Type(() => Number)
  // One message for every way a limit can be wrong (not a number, a fraction, out of range): never three.
  @IsInt({ message: LIMIT_MESSAGE })
  @Min(1, { message: LIMIT_MESSAGE })
  @Max(PAGE_LIMITS.maxLimit, { message: LIMIT_MESSAGE })
  limit: number = PAGE_LIMITS.defaultLimit;

  /** `nextCursor` of the previous page. */
  @ApiPropertyOptional({ description: '`nextCursor` of the previous page.', maxLength: CURSOR_MAX_LENGTH, pattern: CURSOR_PATTERN.source })
  @IsOptional()
  @IsString({ message: CURSOR_MESSAGE })
  @MaxLength(CURSOR_MAX_LENGTH, { message: CURSOR_MESSAGE })
  @Matches(CURSOR_PATTERN, { message: CURSOR_MESSAGE })
  cursor?: string;
}
