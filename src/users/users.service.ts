import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { QueryFailedError, Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ConflictError, NotFoundError } from '../platform/errors';
import { TransactionRunner } from '../platform/idempotency';
import { type Page, paginateById } from '../platform/pagination';
import type { CreateUserDto } from './dto/create-user.dto';
import type { ListUsersQuery } from './dto/list-users.query';
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
    try {
      const saved = await this.transactions.run((manager) => manager.save(User, user));
      this.created.inc();
      return saved;
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { constraint?: string }).constraint === USERS_EMAIL_UNIQUE_INDEX) {
        throw new ConflictError('A user with this email already exists.', [{ field: 'email', message: 'email is already taken' }]);
      }
      throw error;
    }
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
}
