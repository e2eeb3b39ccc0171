import { Injectable } from '@nestjs/common';
import type { ProblemError } from './problem.error';

/** Turns a module's own error (a driver's, a library's) into a ProblemError, or `undefined` when it is not one. */
export type ProblemTranslator = (error: unknown) => ProblemError | undefined;

/**
 * The problem filter's translators: each module registers the translation of its own errors (the database
 * module its SQLSTATEs), so the errors module knows no module above it. The first translator that answers wins.
 */
@Injectable()
export class ProblemTranslators {
  private readonly translators: ProblemTranslator[] = [];

  /** Adds a translator; called from a module's `onModuleInit`. */
  register(translator: ProblemTranslator): void {
    this.translators.push(translator);
  }

  /** The first registered translation of `error`, if any. */
  translate(error: unknown): ProblemError | undefined {
    for (const translator of this.translators) {
      const problem = translator(error);
      if (problem) return problem;
    }
    return undefined;
  }
}
