// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** node:test's describe/it return promises the runner itself awaits. */
const testRunnerCalls = [
  { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.data/**',
      'infra/cdk.out/**',
      'coverage/**',
      '**/*.js',
      '**/*.mjs',
      'libs/sdk/src/schema.d.ts',
      'apps/console/vite.config.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A variable a closure reads before its one assignment cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: testRunnerCalls }],
      // Our regular expressions that name control characters exist to reject or strip them.
      'no-control-regex': 'off',
      // Nest's HttpStatus is a numeric enum, compared with plain status numbers throughout.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
    },
  },
  {
    // Tests read HTTP and JSON bodies, which are `any` by nature; asserting on them is the test. Their
    // fakes implement async interfaces with plain values, so an async function without await is fine.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'infra/test/**/*.ts', '**/*.spec.ts', '**/spec-helpers.ts', 'libs/**/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/require-await': 'off',
      // Diagnostics interpolate arrays and objects on purpose; assert's functions are passed around.
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  prettier,
);
