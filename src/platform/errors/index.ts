/** Public surface of the errors platform module: the problem+json error types and parameter helpers. */
export { ErrorsModule } from './errors.module';
export {
  ProblemError,
  type ProblemErrorOptions,
  ValidationProblemError,
  NotFoundError,
  ConflictError,
  ServiceUnavailableError,
  GatewayTimeoutError,
  PreconditionFailedError,
  PreconditionRequiredError,
} from './problem.error';
export { IfMatch, type IfMatchOptions } from './if-match.decorator';
export { ApiIfMatch, VERSION_ETAG_HEADER } from './if-match.openapi';
export { type IfMatchCondition, parseIfMatch, versionTag } from './entity-tag';
export { type ProblemDetails, type FieldError, PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_PREFIX } from './problem-details';
export { UuidParam } from './uuid-param.decorator';
export { ProblemTranslators, type ProblemTranslator } from './problem-translators.service';
