import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { UuidParam } from '../platform/errors';
import { Idempotent } from '../platform/idempotency';
import { Scopes } from '../platform/identity';
import { RateLimitPolicy, STRICT_POLICY } from '../platform/rate-limit';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQuery } from './dto/list-users.query';
import { UserWithProfileResponse } from './dto/user-profile.response';
import { toUserResponse, UserPageResponse, UserResponse } from './dto/user.response';
import { UserProfilesService } from './user-profiles.service';
import { UsersService } from './users.service';

/** The `:id` of the routes below, as UuidParam accepts it (anything else is a 400). */
const ID_PARAM = {
  name: 'id',
  required: true,
  description: 'The user id (a UUID).',
  schema: { type: 'string', format: 'uuid', maxLength: 36 },
} as const;

/** The example feature's HTTP API. */
@ApiTags('users')
@Controller({ path: 'api/v1/users' })
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly profiles: UserProfilesService,
  ) {}

  @Post()
  @Scopes('users:write')
  @HttpCode(201)
  @ApiOperation({
    operationId: 'createUser',
    summary: 'Create a user',
    description: 'Creates a user with a unique email (compared without regard to case). Rate limited by a second, smaller bucket.',
  })
  @Idempotent() // a retried POST with the same Idempotency-Key gets the first 201 back, never a second user
  @ApiCreatedResponse({ type: UserResponse })
  @ApiConflictResponse({ description: 'A user with this email (any case) exists.' })
  @RateLimitPolicy(STRICT_POLICY) // writes are dearer than reads: a second, smaller bucket per client
  async create(@Body() dto: CreateUserDto): Promise<UserResponse> {
    return toUserResponse(await this.users.create(dto));
  }

  @Get()
  @Scopes('users:read')
  @ApiOperation({
    operationId: 'listUsers',
    summary: 'List users',
    description: 'One page of users, oldest first; pass `nextCursor` as `cursor` for the next page.',
  })
  @ApiOkResponse({ type: UserPageResponse })
  async list(@Query() query: ListUsersQuery): Promise<UserPageResponse> {
    const page = await this.users.list(query);
    return { items: page.items.map(toUserResponse), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Scopes('users:read')
  @ApiParam(ID_PARAM)
  @ApiOperation({ operationId: 'getUser', summary: 'Get a user', description: 'The stored user with this id.' })
  @ApiOkResponse({ type: UserResponse })
  @ApiNotFoundResponse({ description: 'No user with this id.' })
  async findOne(@UuidParam('id') id: string): Promise<UserResponse> {
    return toUserResponse(await this.users.findOne(id));
  }

  /** The user enriched from the profile service; degrades to `profile: null` with a `profileStatus`, never fails on it. */
  @Get(':id/profile')
  @Scopes('users:read')
  @ApiParam(ID_PARAM)
  @ApiOperation({
    operationId: 'getUserProfile',
    summary: 'Get a user with their profile',
    description: 'The stored user enriched from the profile service; `profile` is null with a `profileStatus` when it cannot be had.',
  })
  @ApiOkResponse({ type: UserWithProfileResponse })
  @ApiNotFoundResponse({ description: 'No user with this id.' })
  async findOneWithProfile(@UuidParam('id') id: string): Promise<UserWithProfileResponse> {
    const user = await this.users.findOne(id);
    return { ...toUserResponse(user), ...(await this.profiles.profileOf(id)) };
  }
}
