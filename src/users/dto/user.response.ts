import { ApiProperty } from '@nestjs/swagger';
import type { User } from '../user.entity';

/** A user as the API returns it. */
export class UserResponse {
  @ApiProperty({ format: 'uuid', example: '019abc12-3456-7def-8123-456789abcdef' })
  id!: string;

  @ApiProperty({ format: 'email', example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

/** One page of users; `nextCursor` is null on the last page. */
export class UserPageResponse {
  @ApiProperty({ type: [UserResponse] })
  items!: UserResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor!: string | null;
}

/** Maps an entity to its API shape. */
export function toUserResponse(user: User): UserResponse {
  return { id: user.id, email: user.email, name: user.name, createdAt: user.createdAt.toISOString() };
}
