import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** Body of `POST /api/v1/__entities__`. Unknown fields are refused. */
export class Create__Entity__Dto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'First __entity_words__' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;
}
