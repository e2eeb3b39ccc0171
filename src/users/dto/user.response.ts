import type { User } from '../user.entity';

/** A user as the API returns it. */
export interface UserResponse {
  id: string;
  email: string;
  name: string;
  createdAt: string;
}

/** One page of users; `nextCursor` is null on the last page. */
export interface UserPageResponse {
  items: UserResponse[];
  nextCursor: string | null;
}

/** Maps an entity to its API shape. */
export function toUserResponse(user: User): UserResponse {
  return { id: user.id, email: user.email, name: user.name, createdAt: user.createdAt.toISOString() };
}
