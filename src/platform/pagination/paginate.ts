import { MoreThan, type FindOptionsWhere, type ObjectLiteral, type Repository } from 'typeorm';
import { decodeCursor, encodeCursor } from './cursor';
import type { PageQuery } from './page.query';

/** One page of entities and the cursor of the next (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Keyset pagination on a UUIDv7 `id` column: one indexed range scan per page, stable under concurrent
 * inserts (no OFFSET). Fetches one row more than the limit to know whether a next page exists.
 */
export async function paginateById<T extends ObjectLiteral & { id: string }>(
  repository: Repository<T>,
  query: PageQuery,
): Promise<Page<T>> {
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  const rows = await repository.find({
    where: (after ? { id: MoreThan(after) } : {}) as FindOptionsWhere<T>,
    order: { id: 'ASC' } as never,
    take: query.limit + 1,
  });
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null };
}
