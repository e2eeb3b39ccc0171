import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ManagementModuleOptions } from './management-options.interface';

/** `ManagementModule.forRoot(options)` and the token its options are injected with. */
export const { ConfigurableModuleClass: ConfigurableManagementModule, MODULE_OPTIONS_TOKEN: MANAGEMENT_OPTIONS } =
  new ConfigurableModuleBuilder<ManagementModuleOptions>().setClassMethodName('forRoot').build();
