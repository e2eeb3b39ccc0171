import { ApiProperty } from '@nestjs/swagger';
import type { __Entity__ } from '../__entity__.entity';

/** __A_entity_words__ as the API returns it. */
export class __Entity__Response {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

/** One page of __entities_words__; `nextCursor` is null on the last page. */
export class __Entity__PageResponse {
  @ApiProperty({ type: [__Entity__Response] })
  items!: __Entity__Response[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

/** Maps an entity to its API shape. */
export function to__Entity__Response(entity: __Entity__): __Entity__Response {
  return { id: entity.id, name: entity.name, createdAt: entity.createdAt.toISOString() };
}
