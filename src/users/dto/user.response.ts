import { ApiProperty } from '@nestjs/swagger';
import { PAGE_LIMITS } from '../../platform/pagination';
import type { User } from '../user.entity';

/** A user as the API returns it. */
export class UserResponse {
  @ApiProperty({ format: 'uuid', maxLength: 36, example: '019abc12-3456-7def-8123-456789abcdef' })
  id!: string;

  @ApiProperty({ format: 'email', maxLength: 320, example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Ada Lovelace' })
  name!: string;

  @ApiProperty({ format: 'date-time', maxLength: 30 })
  createdAt!: string;
}

/** One page of users; `nextCursor` is null on the last page. */
export class UserPageResponse {
  @ApiProperty({ type: [UserResponse], maxItems: PAGE_LIMITS.maxLimit })
  items!: UserResponse[];

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
export function toUserResponse(user: User): UserResponse {
  return { id: user.id, email: user.email, name: user.name, createdAt: user.createdAt.toISOString() };
}
