import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/** Page size bounds of every list endpoint. */
export const PAGE_LIMITS = { defaultLimit: 20, maxLimit: 100 } as const;

/** Query of a cursor-paginated list: a bounded page size and an opaque cursor. Extend it to add filters. */
export class PageQuery {
  /** @default 20 */
  @ApiPropertyOptional({ minimum: 1, maximum: PAGE_LIMITS.maxLimit, default: PAGE_LIMITS.defaultLimit })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_LIMITS.maxLimit)
  limit: number = PAGE_LIMITS.defaultLimit;

  /** `nextCursor` of the previous page. */
  @ApiPropertyOptional({ description: '`nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor must be a cursor returned by this API' })
  cursor?: string;
}
