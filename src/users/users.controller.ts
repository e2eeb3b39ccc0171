import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { ApiIfMatch, IfMatch, type IfMatchCondition, UuidParam, VERSION_ETAG_HEADER, versionTag } from '../platform/errors';
import { Idempotent } from '../platform/idempotency';
import { Scopes } from '../platform/identity';
import { RateLimitPolicy, STRICT_POLICY } from '../platform/rate-limit';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQuery } from './dto/list-users.query';
import { UserWithProfileResponse } from './dto/user-profile.response';
import { UpdateUserDto } from './dto/update-user.dto';
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

/** Where a created user lives, sent as `Location` with the 201. */
const LOCATION_HEADER = {
  Location: { description: 'The path of the created user.', required: true, schema: { type: 'string', maxLength: 64 } },
};

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
  @ApiCreatedResponse({ type: UserResponse, headers: { ...LOCATION_HEADER, ...VERSION_ETAG_HEADER } })
  @ApiConflictResponse({ description: 'A user with this email (any case) exists.' })
  @RateLimitPolicy(STRICT_POLICY) // writes are dearer than reads: a second, smaller bucket per client
  async create(@Body() dto: CreateUserDto, @Res({ passthrough: true }) res: ServerResponse): Promise<UserResponse> {
    const user = await this.users.create(dto);
    res.setHeader('Location', `/api/v1/users/${user.id}`);
    res.setHeader('ETag', versionTag(user.version));
    return toUserResponse(user);
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
  @ApiOkResponse({ type: UserResponse, headers: VERSION_ETAG_HEADER })
  @ApiNotFoundResponse({ description: 'No user with this id.' })
  async findOne(@UuidParam('id') id: string, @Res({ passthrough: true }) res: ServerResponse): Promise<UserResponse> {
    const user = await this.users.findOne(id);
    // Set before the body is sent, so Express keeps it (If-None-Match still answers 304) instead of hashing the body.
    res.setHeader('ETag', versionTag(user.version));
    return toUserResponse(user);
  }

  @Patch(':id')
  @Scopes('users:write')
  @ApiParam(ID_PARAM)
  @ApiOperation({
    operationId: 'updateUser',
    summary: 'Change a user',
    description: 'Changes the fields the body carries. Needs If-Match with the ETag of your last GET: 412 if the user changed since.',
  })
  @Idempotent()
  @ApiIfMatch({ required: true })
  @ApiOkResponse({ type: UserResponse, headers: VERSION_ETAG_HEADER })
  @ApiNotFoundResponse({ description: 'No user with this id.' })
  @ApiConflictResponse({ description: 'Another user has this email (any case).' })
  @RateLimitPolicy(STRICT_POLICY)
  async update(
    @UuidParam('id') id: string,
    @IfMatch() condition: IfMatchCondition,
    @Body() dto: UpdateUserDto,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<UserResponse> {
    const user = await this.users.update(id, condition, dto);
    res.setHeader('ETag', versionTag(user.version));
    return toUserResponse(user);
  }

  /** A second DELETE of the same user is a 404: the user is gone, and saying so is more useful than a second 204. */
  @Delete(':id')
  @Scopes('users:write')
  @HttpCode(204)
  @ApiParam(ID_PARAM)
  @ApiOperation({
    operationId: 'deleteUser',
    summary: 'Delete a user',
    description:
      'Deletes the user: 204, then 404 for this id (also for a repeated DELETE). With If-Match, only at that version (else 412).',
  })
  @Idempotent() // a retry with the same Idempotency-Key gets the first 204 back rather than a 404
  @ApiIfMatch({ required: false })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ description: 'No user with this id (never existed, or already deleted).' })
  @RateLimitPolicy(STRICT_POLICY)
  async remove(@UuidParam('id') id: string, @IfMatch({ required: false }) condition: IfMatchCondition | undefined): Promise<void> {
    await this.users.remove(id, condition);
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
