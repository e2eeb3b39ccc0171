import { IsInt, IsNotEmpty, IsString, Max, MaxLength, Min } from 'class-validator';
import { createValidationPipe } from './validation.pipe';
import { ValidationProblemError } from './problem.error';

class QuantityDto {
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  quantity!: number;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  label!: string;
}

describe(createValidationPipe.name, () => {
  const pipe = createValidationPipe();
  async function messagesFor(body: unknown): Promise<Array<{ field: string; message: string }>> {
    const error = await pipe.transform(body, { type: 'body', metatype: QuantityDto }).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof ValidationProblemError)) throw new Error('expected a validation problem');
    return error.toProblem().errors ?? [];
  }

  it('names the type problem first, whatever the order of the decorators', async () => {
    expect(await messagesFor({ quantity: 'abc', label: 123 })).toEqual([
      { field: 'quantity', message: 'quantity must be an integer number' },
      { field: 'label', message: 'label must be a string' },
    ]);
  });

  it('says "must not be null" for a null and "is required" for a missing field', async () => {
    expect(await messagesFor({ quantity: null })).toEqual([
      { field: 'quantity', message: 'quantity must not be null' },
      { field: 'label', message: 'label is required' },
    ]);
  });

  it('gives the first rule as written when the type is right', async () => {
    expect(await messagesFor({ quantity: 0, label: '' })).toEqual([
      { field: 'quantity', message: 'quantity must not be less than 1' },
      { field: 'label', message: 'label should not be empty' },
    ]);
  });
});
