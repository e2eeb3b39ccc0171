import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ValidationProblemError } from '../platform/errors/problem.error';
import { STRICT_POLICY } from '../platform/rate-limit/rate-limit.constants';
import { RateLimitPolicy } from '../platform/rate-limit/rate-limit.decorator';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQuery } from './dto/list-users.query';
import type { UserWithProfileResponse } from './dto/user-profile.response';
import { toUserResponse, type UserPageResponse, type UserResponse } from './dto/user.response';
import { UserProfilesService } from './user-profiles.service';
import { UsersService } from './users.service';

const uuidPipe = new ParseUUIDPipe({
  exceptionFactory: () => new ValidationProblemError('The id is not a valid UUID.', [{ field: 'id', message: 'id must be a UUID' }]),
});

/** The example feature's HTTP API. */
@Controller({ path: 'api/v1/users' })
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly profiles: UserProfilesService,
  ) {}

  @Post()
  @HttpCode(201)
  @RateLimitPolicy(STRICT_POLICY) // writes are dearer than reads: a second, smaller bucket per client
  async create(@Body() dto: CreateUserDto): Promise<UserResponse> {
    return toUserResponse(await this.users.create(dto));
  }

  @Get()
  async list(@Query() query: ListUsersQuery): Promise<UserPageResponse> {
    const page = await this.users.list(query);
    return { items: page.items.map(toUserResponse), nextCursor: page.nextCursor };
  }

  @Get(':id')
  async findOne(@Param('id', uuidPipe) id: string): Promise<UserResponse> {
    return toUserResponse(await this.users.findOne(id));
  }

  /** The user enriched from the profile service; degrades to `profile: null` with a `profileStatus`, never fails on it. */
  @Get(':id/profile')
  async findOneWithProfile(@Param('id', uuidPipe) id: string): Promise<UserWithProfileResponse> {
    const user = await this.users.findOne(id);
    return { ...toUserResponse(user), ...(await this.profiles.profileOf(id)) };
  }
}
