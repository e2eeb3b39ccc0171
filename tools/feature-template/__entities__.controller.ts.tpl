import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import {
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
import { __Entity__PageResponse, __Entity__Response, to__Entity__Response } from './dto/__entity__.response';
import { Create__Entity__Dto } from './dto/create-__entity__.dto';
import { List__Entities__Query } from './dto/list-__entities__.query';
import { Update__Entity__Dto } from './dto/update-__entity__.dto';
import { __Entities__Service } from './__entities__.service';

/** The `:id` of the routes below, as UuidParam accepts it (anything else is a 400). */
const ID_PARAM = {
  name: 'id',
  required: true,
  description: 'The __entity_words__ id (a UUID).',
  schema: { type: 'string', format: 'uuid', maxLength: 36 },
} as const;

/** Where a created __entity_words__ lives, sent as `Location` with the 201. */
const LOCATION_HEADER = {
  Location: { description: 'The path of the created __entity_words__.', required: true, schema: { type: 'string', maxLength: 200 } },
};

/** The __entities_words__ HTTP API. */
@ApiTags('__entities__')
@Controller({ path: 'api/v1/__entities__' })
export class __Entities__Controller {
  constructor(private readonly service: __Entities__Service) {}

  @Post()
  @Scopes('__entities__:write')
  @HttpCode(201)
  @ApiOperation({ operationId: 'create__Entity__', summary: 'Create __a_entity_words__', description: 'Creates __a_entity_words__.' })
  @Idempotent() // a retry with the same Idempotency-Key gets the first answer back; the service writes through TransactionRunner
  @ApiCreatedResponse({ type: __Entity__Response, headers: { ...LOCATION_HEADER, ...VERSION_ETAG_HEADER } })
  async create(@Body() dto: Create__Entity__Dto, @Res({ passthrough: true }) res: ServerResponse): Promise<__Entity__Response> {
    const entity = await this.service.create(dto);
    res.setHeader('Location', `/api/v1/__entities__/${entity.id}`);
    res.setHeader('ETag', versionTag(entity.version));
    return to__Entity__Response(entity);
  }

  @Get()
  @Scopes('__entities__:read')
  @ApiOperation({
    operationId: 'list__Entities__',
    summary: 'List __entities_words__',
    description: 'One page of __entities_words__; pass `nextCursor` as `cursor` for the next page.',
  })
  @ApiOkResponse({ type: __Entity__PageResponse })
  async list(@Query() query: List__Entities__Query): Promise<__Entity__PageResponse> {
    const page = await this.service.list(query);
    return { items: page.items.map(to__Entity__Response), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Scopes('__entities__:read')
  @ApiParam(ID_PARAM)
  @ApiOperation({ operationId: 'get__Entity__', summary: 'Get __a_entity_words__', description: 'The stored __entity_words__ with this id.' })
  @ApiOkResponse({ type: __Entity__Response, headers: VERSION_ETAG_HEADER })
  @ApiNotFoundResponse({ description: 'No __entity_words__ with this id.' })
  async findOne(@UuidParam('id') id: string, @Res({ passthrough: true }) res: ServerResponse): Promise<__Entity__Response> {
    const entity = await this.service.findOne(id);
    // The version as the ETag: PATCH compares If-Match with it; If-None-Match still answers 304.
    res.setHeader('ETag', versionTag(entity.version));
    return to__Entity__Response(entity);
  }

  @Patch(':id')
  @Scopes('__entities__:write')
  @ApiParam(ID_PARAM)
  @ApiOperation({
    operationId: 'update__Entity__',
    summary: 'Change __a_entity_words__',
    description: 'Changes the fields the body carries. Needs If-Match with the ETag of your last GET: 412 if it changed since.',
  })
  @Idempotent()
  @ApiIfMatch({ required: true })
  @ApiOkResponse({ type: __Entity__Response, headers: VERSION_ETAG_HEADER })
  @ApiNotFoundResponse({ description: 'No __entity_words__ with this id.' })
  async update(
    @UuidParam('id') id: string,
    @IfMatch() condition: IfMatchCondition,
    @Body() dto: Update__Entity__Dto,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<__Entity__Response> {
    const entity = await this.service.update(id, condition, dto);
    res.setHeader('ETag', versionTag(entity.version));
    return to__Entity__Response(entity);
  }

  /** A second DELETE of the same id is a 404: the resource is gone, and saying so is more useful than a second 204. */
  @Delete(':id')
  @Scopes('__entities__:write')
  @HttpCode(204)
  @ApiParam(ID_PARAM)
  @ApiOperation({
    operationId: 'delete__Entity__',
    summary: 'Delete __a_entity_words__',
    description: 'Deletes it: 204, then 404 for this id (also for a repeated DELETE). With If-Match, only at that version (else 412).',
  })
  @Idempotent() // a retry with the same Idempotency-Key gets the first 204 back rather than a 404
  @ApiIfMatch({ required: false })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ description: 'No __entity_words__ with this id (never existed, or already deleted).' })
  async remove(@UuidParam('id') id: string, @IfMatch({ required: false }) condition: IfMatchCondition | undefined): Promise<void> {
    await this.service.remove(id, condition);
  }
}
