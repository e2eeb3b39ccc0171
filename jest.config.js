/**
 * Jest on Node 24 with --experimental-vm-modules: NestJS 12 packages are ESM-only; the app is CommonJS.
 * `npm test` runs the suites that need only Node.js (`*.spec.ts`, `*.e2e-spec.ts`); the ones that need a system
 * tool no npm package ships (`*.system-spec.ts`) run with `npm run test:system` (jest.system.config.js).
 */
const vmModules = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(' ')].includes('--experimental-vm-modules');
if (!vmModules) {
  throw new Error(
    'Jest must run on Node 24 started with --experimental-vm-modules (NestJS 12 is ESM-only), which `npx jest` does not do. ' +
      'Run `npm test -- <path>` for one file, `npm run test:unit -- <path>` for unit specs, or `npm run test:system`.',
  );
}

module.exports = {
  testEnvironment: 'node',
  // Most suites wait on sockets, child processes and timers, not on the CPU: two workers on a 2-core machine
  // (jest's default there is one) keep both cores busy; more cores, one fewer worker than cores, as jest would.
  maxWorkers: Math.max(2, require('node:os').availableParallelism() - 1),
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  globalSetup: '<rootDir>/test/utils/global-setup.ts',
  globalTeardown: '<rootDir>/test/utils/global-teardown.ts',
  // Fails a test whose responses break the OpenAPI document (test/contract/contract-recorder.ts).
  setupFilesAfterEnv: ['<rootDir>/test/contract/contract-hooks.ts'],
  testTimeout: 30000,
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2023',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
};
