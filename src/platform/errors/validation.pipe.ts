import { ValidationPipe, type ValidationError } from '@nestjs/common';
import type { FieldError } from './problem-details';
import { ValidationProblemError } from './problem.error';

/** At most this many field errors in one problem: a body of a thousand unknown fields gets a bounded answer. */
export const MAX_FIELD_ERRORS = 50;

/**
 * One message per field: "`field` is required" when it is missing, otherwise the first failed constraint (the pipe
 * stops at the first error per field, so a missing or garbled value does not list every rule it also breaks).
 */
function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const messages = Object.values(error.constraints ?? {});
    const own = messages.length === 0 ? [] : [{ field, message: error.value === undefined ? `${field} is required` : messages[0] }];
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
    stopAtFirstError: true,
    // `value` is kept to tell a missing field from a bad one; it never reaches the client (only messages do).
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => new ValidationProblemError('The request has invalid fields.', flatten(errors).slice(0, MAX_FIELD_ERRORS)),
  });
}
