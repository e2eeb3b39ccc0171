import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Create__Entity__Dto } from './create-__entity__.dto';

describe(Create__Entity__Dto.name, () => {
  async function errorsOf(body: unknown): Promise<string[]> {
    const errors = await validate(plainToInstance(Create__Entity__Dto, body), { whitelist: true, forbidNonWhitelisted: true });
    return errors.map((e) => e.property);
  }

  it('accepts a name and trims it', async () => {
    const dto = plainToInstance(Create__Entity__Dto, { name: '  x  ' });
    expect(dto.name).toBe('x');
    expect(await errorsOf({ name: 'x' })).toEqual([]);
  });

  it('refuses a missing, empty, too long or non-string name, and unknown fields', async () => {
    expect(await errorsOf({})).toEqual(['name']);
    expect(await errorsOf({ name: '   ' })).toEqual(['name']);
    expect(await errorsOf({ name: 'x'.repeat(201) })).toEqual(['name']);
    expect(await errorsOf({ name: 42 })).toEqual(['name']);
    expect(await errorsOf({ name: 'x', extra: 1 })).toEqual(['extra']);
  });
});
