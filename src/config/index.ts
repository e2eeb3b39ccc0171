/** Public surface of the configuration: what features and the composition root import. */
export type { AllConfig, Protection } from './app-config';
export { type ConfigFragment, type ConfigOf, defineConfigFragment, type FragmentEnv, type FragmentShape } from './config-fragment';
export { boolVar, enumVar, intVar, stringVar, urlVar } from './env.helpers';
export { type EnvRule, ordered } from './env.rules';
export { ConfigValidationError, envVariables, loadConfig } from './load-config';
