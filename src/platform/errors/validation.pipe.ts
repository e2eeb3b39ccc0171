import { ValidationPipe, type ValidationError } from '@nestjs/common';
import type { FieldError } from './problem-details';
import { ValidationProblemError } from './problem.error';

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * The global validation pipe: DTOs are validated and transformed, unknown fields are refused (not
 * silently dropped), and failures become a 400 problem listing every field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationProblemError('The request has invalid fields.', flatten(errors)),
  });
}
