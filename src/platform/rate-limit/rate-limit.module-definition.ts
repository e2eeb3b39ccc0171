import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of {@link RateLimitModule}; the limits themselves come from the RATE_LIMIT_* configuration. */
export interface RateLimitModuleOptions {
  /** Path prefixes never limited (a prefix matches itself and everything below it). @default ['/health', '/metrics'] */
  exemptPaths?: string[];
}

/** The module base class with `forRoot(options)`, and the token of its options. */
export const { ConfigurableModuleClass: RateLimitConfigurableModule, MODULE_OPTIONS_TOKEN: RATE_LIMIT_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<RateLimitModuleOptions>().setClassMethodName('forRoot').build();
