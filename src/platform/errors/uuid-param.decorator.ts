import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ValidationProblemError } from './problem.error';

/** A route parameter that must be a UUID; anything else is a 400 problem naming the parameter. */
export function UuidParam(name = 'id'): ParameterDecorator {
  return Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        new ValidationProblemError(`The ${name} is not a valid UUID.`, [{ field: name, message: `${name} must be a UUID` }]),
    }),
  );
}
