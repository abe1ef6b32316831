// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      '.data/',
      'coverage/',
      'bench/.tmp/',
      'dist/',
      'test-output/',
      'test/contract/generated/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    // Tests read loosely typed JSON responses.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The web clients run in the browser.
    files: ['web/**'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        navigator: 'readonly',
        localStorage: 'readonly',
        location: 'readonly',
      },
    },
  },
  {
    // Domain functions read, decide and write in small parts; the stack is wired from small parts (infra/constructs/); Lambda entry points stay thin.
    files: ['infra/**', 'functions/**', 'shared/**'],
    ignores: ['**/*.test.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }] },
  },
  {
    // `total += await f()` reads `total` before the await: concurrent callers overwrite each other's sums
    // (the ingest benchmark counted a fraction of its 16 lanes' writes this way).
    files: ['shared/**', 'functions/**', 'scripts/**', 'bench/**', 'infra/**', 'web/**', 'test/**'],
    rules: { 'require-atomic-updates': ['error', { allowProperties: true }] },
  },
  {
    // zod through its one door (shared/platform/zod.ts): ordered after the OpenAPI extension, and a
    // namespace import that esbuild tree-shakes (`import { z }` keeps all of zod in every bundle).
    files: ['shared/**', 'functions/**'],
    ignores: ['shared/platform/zod.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'zod', message: "Import zod as `import * as z from '#shared/platform/zod.ts'`." },
            {
              name: '@hono/zod-openapi',
              importNames: ['z'],
              message: "Import zod as `import * as z from '#shared/platform/zod.ts'`.",
            },
          ],
        },
      ],
    },
  },
  {
    // Command-line scripts talk to a person on stdout.
    files: ['scripts/**', 'bench/**', 'infra/bin/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // dependency-cruiser's configuration is CommonJS.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
