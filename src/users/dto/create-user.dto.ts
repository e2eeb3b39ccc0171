import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** Body of `POST /api/v1/users`. Unknown fields are refused. */
export class CreateUserDto {
  @ApiProperty({ format: 'email', maxLength: 320, description: 'Unique without regard to case.', example: 'ada@example.com' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(320)
  @IsEmail()
  email!: string;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Ada Lovelace' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;
}
