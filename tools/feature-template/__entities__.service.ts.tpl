import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { deleteIfMatch, updateIfMatch } from '../platform/database';
import { type IfMatchCondition, NotFoundError } from '../platform/errors';
import { TransactionRunner } from '../platform/idempotency';
import { type Page, paginateById } from '../platform/pagination';
import { __Entity__ } from './__entity__.entity';
import { __ENV_PREFIX___CREATED_METRIC } from './__entities__.constants';
import type { Create__Entity__Dto } from './dto/create-__entity__.dto';
import type { List__Entities__Query } from './dto/list-__entities__.query';
import type { Update__Entity__Dto } from './dto/update-__entity__.dto';

/** The __entities_words__ feature's data access. */
@Injectable()
export class __Entities__Service {
  constructor(
    @InjectRepository(__Entity__) private readonly repository: Repository<__Entity__>,
    @InjectMetric(__ENV_PREFIX___CREATED_METRIC) private readonly created: Counter<string>,
    private readonly transactions: TransactionRunner,
  ) {}

  /** Creates one; through the TransactionRunner, so an Idempotency-Key commits with the row (docs/idempotency.md). */
  async create(dto: Create__Entity__Dto): Promise<__Entity__> {
    const entity = this.repository.create({ id: uuidv7(), name: dto.name });
    const saved = await this.transactions.run((manager) => manager.save(__Entity__, entity));
    this.created.inc();
    return saved;
  }

  /** Finds one by id or throws a 404. */
  async findOne(id: string): Promise<__Entity__> {
    const entity = await this.repository.findOneBy({ id });
    if (!entity) throw new NotFoundError(`No __entity_words__ with id ${id}.`);
    return entity;
  }

  list(query: List__Entities__Query): Promise<Page<__Entity__>> {
    return paginateById(this.repository, query);
  }

  /** Changes the fields `dto` carries, in one conditional UPDATE on the version If-Match names: 412 when stale, 404 when gone. */
  update(id: string, condition: IfMatchCondition, dto: Update__Entity__Dto): Promise<__Entity__> {
    const changes = { name: dto.name };
    return this.transactions.run((manager) => updateIfMatch(manager, __Entity__, id, condition, changes, '__entity_words__'));
  }

  /** Deletes one (only at the version `condition` names, when given); 404 when there is none, also on a second delete. */
  async remove(id: string, condition: IfMatchCondition | undefined): Promise<void> {
    await this.transactions.run((manager) => deleteIfMatch(manager, __Entity__, id, condition, '__entity_words__'));
  }
}
