// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'proto/src/gen/**',
      'coverage/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Background loops never throw into nothing; no promise is left floating.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false } },
      ],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // Services depend on packages, never the reverse; no reaching into another package's src.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@cqfleet/*/src/*', '../../*/src/*'],
              message: 'Import the package entry instead.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/**/*.ts', 'proto/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@cqfleet/*/src/*'], message: 'Import the package entry instead.' },
            {
              group: [
                '@cqfleet/session',
                '@cqfleet/gateway',
                '@cqfleet/history',
                '@cqfleet/media',
                '@cqfleet/simulator',
              ],
              message: 'Packages never import services.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', require: 'readonly', URL: 'readonly' },
    },
  },
);
