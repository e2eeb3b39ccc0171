import type { EntityManager, EntityTarget, FindOptionsWhere, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { type IfMatchCondition, NotFoundError, PreconditionFailedError, ValidationProblemError } from '../errors';

/** An entity with a UUID key and a TypeORM `@VersionColumn`, which every conditional write bumps. */
export interface VersionedEntity extends ObjectLiteral {
  id: string;
  version: number;
}

/**
 * Applies `changes` to the row `id` when `condition` holds, as one conditional `UPDATE … WHERE id = $1 AND version
 * IN (…)` that also bumps the version: of two writers holding the same ETag, the second finds the version moved (it
 * waits on the first one's row lock, then re-reads) and gets 412 — no lost update. Absent fields are left alone;
 * no field at all is a 400. Returns the row as stored. `noun` names the resource in the 404/412 details.
 */
export async function updateIfMatch<T extends VersionedEntity>(
  manager: EntityManager,
  target: EntityTarget<T>,
  id: string,
  condition: IfMatchCondition,
  changes: Partial<T>,
  noun: string,
): Promise<T> {
  const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  if (Object.keys(defined).length === 0) throw new ValidationProblemError('The request body has no field to change.');
  const query = manager
    .createQueryBuilder()
    .update(target)
    .set(defined as QueryDeepPartialEntity<T>)
    .where('"id" = :id', { id });
  if (!condition.any) query.andWhere('"version" IN (:...versions)', { versions: [...condition.versions, -1] });
  const { affected } = await query.execute();
  if (affected === 0) await explainMiss(manager, target, id, noun);
  return manager.findOneByOrFail(target, { id } as FindOptionsWhere<T>);
}

/**
 * Deletes the row `id`, only when `condition` holds if one is given (an `If-Match` on DELETE is optional). A row
 * that is already gone is a 404: the resource does not exist, whoever deleted it.
 */
export async function deleteIfMatch<T extends VersionedEntity>(
  manager: EntityManager,
  target: EntityTarget<T>,
  id: string,
  condition: IfMatchCondition | undefined,
  noun: string,
): Promise<void> {
  const query = manager.createQueryBuilder().delete().from(target).where('"id" = :id', { id });
  if (condition && !condition.any) query.andWhere('"version" IN (:...versions)', { versions: [...condition.versions, -1] });
  const { affected } = await query.execute();
  if (affected === 0) await explainMiss(manager, target, id, noun);
}

/** After a write that matched no row: 404 when the row does not exist, else 412 (its version is another). */
async function explainMiss<T extends VersionedEntity>(
  manager: EntityManager,
  target: EntityTarget<T>,
  id: string,
  noun: string,
): Promise<never> {
  const exists = await manager.existsBy(target, { id } as FindOptionsWhere<T>);
  if (!exists) throw new NotFoundError(`No ${noun} with id ${id}.`);
  throw new PreconditionFailedError(`The ${noun} ${id} has changed since the ETag you sent: GET it again and retry.`);
}
