// @ts-check
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import js from '@eslint/js';
import {
  createTypeScriptImportResolver,
  defaultConditionNames,
} from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import ts from 'typescript';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
const services = ['session', 'gateway', 'history', 'media', 'simulator'];

// One resolver for every import rule: Node resolution through `exports`, with the `source`
// condition first so that a workspace package resolves to its `src/*.ts` (as tsc, vitest and the
// type-aware rules see it), `.js` specifiers mapped to `.ts`, symlinks resolved to real paths.
const resolver = createTypeScriptImportResolver({
  project: path.join(root, 'tsconfig.json'),
  conditionNames: ['source', ...defaultConditionNames],
});

/**
 * `cqfleet/no-cycle`: no file may import a file that imports it back, directly or through other
 * files of the repository. Unlike `import-x/no-cycle`, which always skips type-only imports,
 * every import counts: `import type`, `export … from`, `import('…')` (also as a type),
 * `require`. Edges of files other than the linted one come from TypeScript's import scanner
 * (`ts.preProcessFile`), resolved with the resolver above and cached for the whole run (keyed by
 * modification time, so an editor session sees changes). Files outside the repository (or in
 * `node_modules`) end a path.
 *
 * @type {import('eslint').Rule.RuleModule}
 */
const noCycle = (() => {
  /** @type {Map<string, { mtimeMs: number, targets: Set<string> }>} */
  const edges = new Map();
  /** @param {string} source @param {string} file @returns {string | undefined} */
  const resolveInRepo = (source, file) => {
    let found;
    try {
      found = resolver.resolve(source, file);
    } catch {
      return undefined;
    }
    const target = found.found ? found.path : null;
    if (!target) return undefined;
    const rel = path.relative(root, target);
    if (
      rel.startsWith('..') ||
      path.isAbsolute(rel) ||
      rel.split(path.sep).includes('node_modules')
    )
      return undefined;
    return target;
  };
  /** the repository files `file` imports (resolved paths), read from disk */
  const importsOf = (/** @type {string} */ file) => {
    let mtimeMs;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      return new Set();
    }
    const cached = edges.get(file);
    if (cached?.mtimeMs === mtimeMs) return cached.targets;
    const targets = new Set();
    const text = readFileSync(file, 'utf8');
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      const target = resolveInRepo(fileName, file);
      if (target) targets.add(target);
    }
    edges.set(file, { mtimeMs, targets });
    return targets;
  };
  const show = (/** @type {string} */ file) => path.relative(root, file);
  return {
    meta: {
      type: 'problem',
      docs: { description: 'Forbid import cycles, type-only imports included.' },
      schema: [],
      messages: {
        cycle:
          'Import cycle: {{route}}. Move what both sides need into the lower module (or a small types.ts).',
      },
    },
    create(context) {
      const self = context.physicalFilename;
      if (!path.isAbsolute(self)) return {};
      /** files known not to lead back to `self` */
      const dead = new Set();
      /** @returns {string[] | undefined} path from `start` back to `self` */
      const pathBack = (/** @type {string} */ start) => {
        if (start === self) return [self];
        if (dead.has(start)) return undefined;
        /** @type {Map<string, string | null>} */
        const parent = new Map([[start, null]]);
        const queue = [start];
        while (queue.length > 0) {
          const file = /** @type {string} */ (queue.shift());
          for (const target of importsOf(file)) {
            if (target === self) {
              const route = [self];
              for (let f = /** @type {string | null} */ (file); f; f = parent.get(f) ?? null)
                route.unshift(f);
              return route;
            }
            if (parent.has(target) || dead.has(target)) continue;
            parent.set(target, file);
            queue.push(target);
          }
        }
        for (const file of parent.keys()) dead.add(file);
        return undefined;
      };
      const check = (/** @type {any} */ node, /** @type {any} */ sourceNode) => {
        if (sourceNode?.type !== 'Literal' || typeof sourceNode.value !== 'string') return;
        const target = resolveInRepo(sourceNode.value, self);
        if (!target) return;
        const route = pathBack(target);
        if (!route) return;
        context.report({
          node,
          messageId: 'cycle',
          data: { route: [self, ...route].map(show).join(' → ') },
        });
      };
      return {
        ImportDeclaration: node => check(node, node.source),
        ExportNamedDeclaration: node => check(node, node.source),
        ExportAllDeclaration: node => check(node, node.source),
        ImportExpression: node => check(node, node.source),
        /** @param {any} node */
        TSImportType: node => check(node, node.argument?.literal ?? node.argument),
        /** @param {any} node */
        TSExternalModuleReference: node => check(node, node.expression),
        CallExpression: node => {
          if (node.callee.type === 'Identifier' && node.callee.name === 'require')
            check(node, node.arguments[0]);
        },
      };
    },
  };
})();

const otherServices = (/** @type {string} */ s) => services.filter(o => o !== s);
const packageEntryOnly = {
  group: ['@cqfleet/*/src/*', '../../*/src/*'],
  message: 'Import the package entry instead.',
};

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
    files: ['**/*.ts', '**/*.mts', '**/*.tsx'],
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
      'no-restricted-imports': ['error', { patterns: [packageEntryOnly] }],
    },
  },
  // The shape of the code, for every source file (TypeScript and JavaScript).
  {
    files: ['**/*.{ts,tsx,mts,cts,js,mjs,cjs}'],
    plugins: { 'import-x': importX, cqfleet: { rules: { 'no-cycle': noCycle } } },
    settings: { 'import-x/resolver-next': [resolver] },
    rules: {
      'cqfleet/no-cycle': 'error',
      'import-x/first': 'error',
      // Each workspace imports only what its own package.json declares (the nearest one: a
      // workspace's src and test use the workspace's; test/, scripts/ and root files the root's),
      // type-only imports and workspace packages included. devDependencies only where the code
      // never ships: tests, bench, scripts, config files (the image prunes devDependencies).
      'import-x/no-extraneous-dependencies': [
        'error',
        {
          includeTypes: true,
          includeInternal: true,
          devDependencies: [
            '**/test/**',
            'bench/**',
            'scripts/**',
            '*.config.{ts,mts,js,mjs}',
            'packages/console/build.mjs',
          ],
        },
      ],
      // By resolved location, whatever the specifier (package name or relative path).
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: root,
          zones: [
            ...services.flatMap(s =>
              otherServices(s).map(o => ({
                target: `./services/${s}`,
                from: `./services/${o}`,
                message: `services/${s} may not import from services/${o}: a service never imports another service; share code through a package.`,
              })),
            ),
            {
              target: ['./packages', './proto'],
              from: './services',
              message: 'Packages never import services.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/**/*.{ts,tsx}', 'proto/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@cqfleet/*/src/*'], message: 'Import the package entry instead.' },
            {
              group: services.flatMap(s => [`@cqfleet/${s}`, `@cqfleet/${s}/*`]),
              message: 'Packages never import services.',
            },
          ],
        },
      ],
    },
  },
  ...services.map(s => ({
    files: [`services/${s}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            packageEntryOnly,
            {
              group: otherServices(s).flatMap(o => [`@cqfleet/${o}`, `@cqfleet/${o}/*`]),
              message: `A service never imports another service (services/${s}): share code through a package.`,
            },
          ],
        },
      ],
    },
  })),
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', require: 'readonly', URL: 'readonly' },
    },
  },
);
