import { SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CachedReflector } from './cached-reflector';

@SetMetadata('k', 'class')
class Base {
  @SetMetadata('k', 'handler')
  decorated() {}

  plain() {}
}

@SetMetadata('k', 'sub')
class Sub extends Base {}

describe(CachedReflector.name, () => {
  it('answers exactly like Reflector, the handler overriding the class, per class even for an inherited handler', () => {
    const plain = new Reflector();
    const cached = new CachedReflector();
    const cases: Array<[(...args: never[]) => unknown, abstract new (...args: never[]) => unknown]> = [
      [Base.prototype.decorated, Base],
      [Base.prototype.plain, Base],
      [Base.prototype.plain, Sub],
      [Base.prototype.plain, Base],
    ];
    for (let round = 0; round < 2; round++) {
      for (const targets of cases) {
        for (const key of ['k', 'absent']) expect(cached.getAllAndOverride(key, targets)).toEqual(plain.getAllAndOverride(key, targets));
      }
    }
    expect(cached.getAllAndOverride('k', [Base.prototype.plain, Sub])).toBe('sub');
  });
});
