import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ProblemDetailsFilter } from './problem-details.filter';
import { ProblemTranslators } from './problem-translators.service';
import { createValidationPipe } from './validation.pipe';

/**
 * Registers the problem+json filter and the validation pipe for the whole application. Global so that any
 * module can register the translation of its own errors with `ProblemTranslators`.
 */
@Global()
@Module({
  providers: [
    ProblemTranslators,
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_PIPE, useFactory: createValidationPipe },
  ],
  exports: [ProblemTranslators],
})
export class ErrorsModule {}
