import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { QueryFailedError, Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { deleteIfMatch, updateIfMatch } from '../platform/database';
import { ConflictError, type IfMatchCondition, NotFoundError } from '../platform/errors';
import { TransactionRunner } from '../platform/idempotency';
import { type Page, paginateById } from '../platform/pagination';
import type { CreateUserDto } from './dto/create-user.dto';
import type { ListUsersQuery } from './dto/list-users.query';
import type { UpdateUserDto } from './dto/update-user.dto';
import { User } from './user.entity';
import { USERS_CREATED_METRIC, USERS_EMAIL_UNIQUE_INDEX } from './users.constants';

/** The users feature's data access. */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectMetric(USERS_CREATED_METRIC) private readonly created: Counter<string>,
    private readonly transactions: TransactionRunner,
  ) {}

  /**
   * Creates a user; a duplicate email (any case) is a 409, decided by the unique index, not a prior read. Written
   * through the TransactionRunner, so an Idempotency-Key commits with the row.
   */
  async create(dto: CreateUserDto): Promise<User> {
    const user = this.users.create({ id: uuidv7(), email: dto.email, name: dto.name });
    const saved = await this.writing(() => this.transactions.run((manager) => manager.save(User, user)));
    this.created.inc();
    return saved;
  }

  /**
   * Changes the fields `dto` carries when `condition` (the request's If-Match) names the current version: 412 when
   * it does not, 404 when there is no such user, 409 for an email another user has.
   */
  update(id: string, condition: IfMatchCondition, dto: UpdateUserDto): Promise<User> {
    const changes = { email: dto.email, name: dto.name };
    return this.writing(() => this.transactions.run((manager) => updateIfMatch(manager, User, id, condition, changes, 'user')));
  }

  /** Deletes a user (only at the version `condition` names, when given); 404 when there is none, also on a second delete. */
  async remove(id: string, condition: IfMatchCondition | undefined): Promise<void> {
    await this.transactions.run((manager) => deleteIfMatch(manager, User, id, condition, 'user'));
  }

  /** Finds a user by id or throws a 404. */
  async findOne(id: string): Promise<User> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw new NotFoundError(`No user with id ${id}.`);
    return user;
  }

  /** One page in id order (UUIDv7, so creation order), after the cursor. */
  list(query: ListUsersQuery): Promise<Page<User>> {
    return paginateById(this.users, query);
  }

  /** Runs a write; a duplicate email (any case) is a 409, decided by the unique index, not a prior read. */
  private async writing<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { constraint?: string }).constraint === USERS_EMAIL_UNIQUE_INDEX) {
        throw new ConflictError('A user with this email already exists.', [{ field: 'email', message: 'email is already taken' }]);
      }
      throw error;
    }
  }
}
