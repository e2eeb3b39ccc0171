import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of {@link RateLimitModule}; the limits themselves come from the RATE_LIMIT_* configuration. */
// No options today: exempt paths are the platform's one list (`ResilienceModule.forRoot({ exemptPaths })`).
export type RateLimitModuleOptions = Record<string, never>;

/** The module base class with `forRoot(options)`, and the token of its options. */
export const { ConfigurableModuleClass: RateLimitConfigurableModule, MODULE_OPTIONS_TOKEN: RATE_LIMIT_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<RateLimitModuleOptions>().setClassMethodName('forRoot').build();
