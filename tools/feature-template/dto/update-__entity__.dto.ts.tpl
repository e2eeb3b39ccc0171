import { PartialType } from '@nestjs/swagger';
import { Create__Entity__Dto } from './create-__entity__.dto';

/**
 * Body of `PATCH /api/v1/__entities__/:id`: any of the create fields, validated the same way; unknown fields are
 * refused. A field given as `null` is validated too (a 400, not an attempt to store NULL): only an absent field is optional.
 */
export class Update__Entity__Dto extends PartialType(Create__Entity__Dto, { skipNullProperties: false }) {}
