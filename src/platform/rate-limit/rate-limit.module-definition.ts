import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of {@link RateLimitModule}; the limits themselves come from the RATE_LIMIT_* configuration. */
// Exempt paths are the platform's one list (`ResilienceModule.forRoot({ exemptPaths })`).
export interface RateLimitModuleOptions {
  /**
   * Whether the global guard is installed. `false` (PROTECTIONS_DISABLED=rate_limit) leaves Nest without the
   * guard, so its per-request machinery (an execution context, an awaited guard chain) is off too. @default true
   */
  guard?: boolean;
}

/** The module base class with `forRoot(options)`, and the token of its options. */
export const { ConfigurableModuleClass: RateLimitConfigurableModule, MODULE_OPTIONS_TOKEN: RATE_LIMIT_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<RateLimitModuleOptions>().setClassMethodName('forRoot').build();
