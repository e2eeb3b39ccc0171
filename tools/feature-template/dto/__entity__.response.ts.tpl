import { ApiProperty } from '@nestjs/swagger';
import { PAGE_LIMITS } from '../../platform/pagination';
import type { __Entity__ } from '../__entity__.entity';

/** __A_entity_words__ as the API returns it. */
export class __Entity__Response {
  @ApiProperty({ format: 'uuid', maxLength: 36 })
  id!: string;

  @ApiProperty({ minLength: 1, maxLength: 200 })
  name!: string;

  @ApiProperty({ format: 'date-time', maxLength: 30 })
  createdAt!: string;
}

/** One page of __entities_words__; `nextCursor` is null on the last page. */
export class __Entity__PageResponse {
  @ApiProperty({ type: [__Entity__Response], maxItems: PAGE_LIMITS.maxLimit })
  items!: __Entity__Response[];

  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 64,
    pattern: '^[A-Za-z0-9_-]+$',
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  nextCursor!: string | null;
}

/** Maps an entity to its API shape. */
export function to__Entity__Response(entity: __Entity__): __Entity__Response {
  return { id: entity.id, name: entity.name, createdAt: entity.createdAt.toISOString() };
}
