import { defineConfig } from 'vitest/config';

/**
 * Two projects:
 * - `unit`: pure code (`*.test.ts`), imports workspace packages from their TypeScript sources
 *   through the `source` export condition, runs in parallel;
 * - `integration`: real NATS, Redis and processes (`*.int.test.ts`); infrastructure comes from
 *   `@cqfleet/testkit` (environment URLs, containers, or local binaries), files run one at a time.
 */
const conditions = ['source', 'node'];

export default defineConfig({
  resolve: { conditions },
  // Vitest hands these to its Node workers as `--conditions`. `import` must not be among them:
  // Node would then resolve CommonJS `require()` calls to ESM entries, which breaks CommonJS
  // packages such as Koishi. Vite adds `import`/`require` per import kind by itself.
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    globals: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            '{packages,services,proto}/*/test/**/*.test.ts',
            'proto/test/**/*.test.ts',
            'bench/test/**/*.test.ts',
            'test/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/node_modules/**', '**/dist/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['{packages,services}/*/test/**/*.int.test.ts', 'test/**/*.int.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          globalSetup: ['packages/testkit/src/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
