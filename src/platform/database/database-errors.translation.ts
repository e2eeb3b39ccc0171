import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ProblemTranslators } from '../errors';
import { translateDatabaseError } from './database-errors';

/** The database module owns the translation of its errors (SQLSTATEs, driver faults) into 503/409/400 problems. */
@Injectable()
export class DatabaseErrorsTranslation implements OnModuleInit {
  constructor(private readonly translators: ProblemTranslators) {}

  onModuleInit(): void {
    this.translators.register(translateDatabaseError);
  }
}
