import { ValidationPipe, type ValidationError } from '@nestjs/common';
import {
  IS_ARRAY,
  IS_BOOLEAN,
  IS_DATE,
  IS_DATE_STRING,
  IS_ENUM,
  IS_INT,
  IS_ISO8601,
  IS_NUMBER,
  IS_NUMBER_STRING,
  IS_OBJECT,
  IS_STRING,
  IS_UUID,
} from 'class-validator';
import type { FieldError } from './problem-details';
import { ValidationProblemError } from './problem.error';

/** At most this many field errors in one problem: a body of a thousand unknown fields gets a bounded answer. */
export const MAX_FIELD_ERRORS = 50;

/**
 * Constraints that say what kind of value a field takes. When one fails it is the message, whatever else failed:
 * `name must be a string` says more about `123` than a length rule that also refuses it.
 */
const TYPE_CONSTRAINTS = [
  IS_STRING,
  IS_INT,
  IS_NUMBER,
  IS_NUMBER_STRING,
  IS_BOOLEAN,
  IS_DATE,
  IS_DATE_STRING,
  IS_ISO8601,
  IS_ARRAY,
  IS_OBJECT,
  IS_ENUM,
  IS_UUID,
];

/**
 * The one message for a field: "is required" when it is missing, "must not be null" for a null, else the failed type
 * constraint, else the first failed rule as written. class-validator runs (and lists) a property's decorators bottom-up,
 * so the first one written is the last one listed; the pipe collects every failure to choose from.
 */
function messageOf(field: string, error: ValidationError): string | undefined {
  const constraints = error.constraints ?? {};
  const names = Object.keys(constraints);
  if (names.length === 0) return undefined;
  if (error.value === undefined) return `${field} is required`;
  if (error.value === null && !names.includes('whitelistValidation')) return `${field} must not be null`;
  const chosen = TYPE_CONSTRAINTS.find((name) => name in constraints) ?? names[names.length - 1];
  return constraints[chosen];
}

/** One message per field, nested fields by their path. */
function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const message = messageOf(field, error);
    return [...(message === undefined ? [] : [{ field, message }]), ...flatten(error.children ?? [], field)];
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
    // `value` is kept to tell a missing field from a bad one; it never reaches the client (only messages do).
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => new ValidationProblemError('The request has invalid fields.', flatten(errors).slice(0, MAX_FIELD_ERRORS)),
  });
}
