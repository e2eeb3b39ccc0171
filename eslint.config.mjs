// ESLint flat config: typescript-eslint's type-checked recommended rules for src/, test/ and bench/; Prettier
// owns formatting (eslint-config-prettier turns off the rules that would fight it). `npm run lint:code` runs it.
// Every relaxation below is scoped and says why (docs/architecture.md, "Lint").
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Node's CommonJS globals for the few plain .js/.cjs files (scripts, CI helpers, tool configs). */
const NODE_GLOBALS = { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' };

export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', 'coverage/**', '.bench/**', 'tools/feature-template/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // The code base's convention for a parameter or destructured field kept for its position or to omit it.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests and benchmarks read untyped data by design: supertest's `res.body`, `JSON.parse` of log lines and
    // metrics, fixtures poking at internals. The no-unsafe-* family would demand a cast on every assertion
    // without catching a bug (the assertion itself checks the shape). `unbound-method` misfires on jest's
    // `expect(obj.method).toHaveBeenCalled()` and on spies (typescript-eslint's docs say to turn it off there).
    // `any` is how the tests type the OpenAPI document and JSON bodies they walk.
    // The type-aware promise rules (no-floating-promises, no-misused-promises, await-thenable) stay on.
    files: ['test/**/*.ts', 'bench/**/*.ts', '**/*.spec.ts', '**/*.e2e-spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: NODE_GLOBALS },
  },
  {
    // Plain CommonJS files: `require` is how they import.
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
