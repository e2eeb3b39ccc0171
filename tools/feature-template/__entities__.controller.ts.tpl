import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../platform/errors';
import { Idempotent } from '../platform/idempotency';
import { Scopes } from '../platform/identity';
import { __Entity__PageResponse, __Entity__Response, to__Entity__Response } from './dto/__entity__.response';
import { Create__Entity__Dto } from './dto/create-__entity__.dto';
import { List__Entities__Query } from './dto/list-__entities__.query';
import { __Entities__Service } from './__entities__.service';

/** The `:id` of the routes below, as UuidParam accepts it (anything else is a 400). */
const ID_PARAM = { name: 'id', required: true, description: 'The __entity_words__ id (a UUID).', schema: { type: 'string', format: 'uuid', maxLength: 36 } } as const;

/** The __entities_words__ HTTP API. */
@ApiTags('__entities__')
@Controller({ path: 'api/v1/__entities__' })
export class __Entities__Controller {
  constructor(private readonly service: __Entities__Service) {}

  @Post()
  @Scopes('__entities__:write')
  @HttpCode(201)
  @ApiOperation({ operationId: 'create__Entity__', summary: 'Create a __entity_words__', description: 'Creates a __entity_words__.' })
  @Idempotent() // a retry with the same Idempotency-Key gets the first answer back; the service writes through TransactionRunner
  @ApiCreatedResponse({ type: __Entity__Response })
  async create(@Body() dto: Create__Entity__Dto): Promise<__Entity__Response> {
    return to__Entity__Response(await this.service.create(dto));
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
  @ApiOperation({ operationId: 'get__Entity__', summary: 'Get a __entity_words__', description: 'The stored __entity_words__ with this id.' })
  @ApiOkResponse({ type: __Entity__Response })
  @ApiNotFoundResponse({ description: 'No __entity_words__ with this id.' })
  async findOne(@UuidParam('id') id: string): Promise<__Entity__Response> {
    return to__Entity__Response(await this.service.findOne(id));
  }
}
