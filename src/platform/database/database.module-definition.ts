import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { MixedList } from 'typeorm';

/** Options of {@link DatabaseModule}. */
export interface DatabaseModuleOptions {
  /** Every migration class of the application, in order; the composition root collects them. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
}

export const { ConfigurableModuleClass: DatabaseConfigurableModule, MODULE_OPTIONS_TOKEN: DATABASE_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<DatabaseModuleOptions>().setClassMethodName('forRoot').build();
