import { PartialType } from '@nestjs/swagger';
import { CreateUserDto } from './create-user.dto';

/**
 * Body of `PATCH /api/v1/users/:id`: any of the create fields, validated the same way; unknown fields are refused.
 * A field given as `null` is validated too (a 400, not an attempt to store NULL): only an absent field is optional.
 */
export class UpdateUserDto extends PartialType(CreateUserDto, { skipNullProperties: false }) {}
