import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { parseIfMatch } from './entity-tag';
import { PreconditionRequiredError } from './problem.error';

/** Options of {@link IfMatch}. */
export interface IfMatchOptions {
  /** A request without `If-Match` is a 428 (else the parameter is `undefined`: an unconditional write). @default true */
  required?: boolean;
}

/**
 * The request's `If-Match` as an {@link IfMatchCondition}, for a write that must not overwrite a change its client
 * has not seen. Missing: 428 when required; the service answers 412 when the condition does not hold.
 */
export const IfMatch = createParamDecorator((options: IfMatchOptions | undefined, context: ExecutionContext) => {
  const header = context.switchToHttp().getRequest<IncomingMessage>().headers['if-match'];
  if (header === undefined || header.trim() === '') {
    if (options?.required === false) return undefined;
    throw new PreconditionRequiredError(
      'Send If-Match with the ETag of your last GET, so that your change cannot overwrite one you have not seen.',
    );
  }
  return parseIfMatch(header);
});

export type { IfMatchCondition } from './entity-tag';
