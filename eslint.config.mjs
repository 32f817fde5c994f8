import { builtinModules } from 'node:module';
import nx from '@nx/eslint-plugin';
import importX from 'eslint-plugin-import-x';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * The pure core of every service (`src/domain/**`) may not touch I/O, the clock, randomness or the
 * environment: replaying the log must give the same state byte for byte, so these are lint errors,
 * not review comments. `test/lint` proves the rules fire.
 */
const ioModules = [
  ...builtinModules,
  ...builtinModules.map((name) => `node:${name}`),
  'ws',
  'pg',
  'kysely',
  'jose',
  'pino',
  '@presence/bus',
  '@presence/store',
  '@presence/kit',
  '@presence/contracts',
];
const domainPurity = {
  files: ['**/src/domain/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: ioModules.map((name) => ({
          name,
          message:
            'src/domain is pure: no I/O, generated types or service kit here (see STYLE.md).',
        })),
        patterns: [
          {
            group: ['@nats-io/*', '@grpc/*', '@opentelemetry/*'],
            message: 'src/domain is pure: no I/O here (see STYLE.md).',
          },
        ],
      },
    ],
    'no-restricted-globals': [
      'error',
      ...[
        'process',
        'setTimeout',
        'setInterval',
        'setImmediate',
        'fetch',
        'performance',
        'crypto',
        'console',
      ].map((name) => ({
        name,
        message: `src/domain is pure: '${name}' is I/O; pass what you need in.`,
      })),
    ],
    'no-restricted-syntax': [
      'error',
      {
        selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
        message: 'src/domain never reads the clock: time arrives in the event or command.',
      },
      {
        selector: "NewExpression[callee.name='Date'][arguments.length=0]",
        message: 'src/domain never reads the clock: time arrives in the event or command.',
      },
      {
        selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
        message: 'src/domain is deterministic: ids and randomness arrive in the command.',
      },
    ],
  },
};

/** Services talk through events and gRPC only; libs never reach up into services. */
const moduleBoundaries = {
  files: ['**/*.ts', '**/*.mts', '**/*.mjs'],
  rules: {
    '@nx/enforce-module-boundaries': [
      'error',
      {
        enforceBuildableLibDependency: true,
        allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$', '^.*/vitest\\.shared\\.mjs$'],
        depConstraints: [
          {
            sourceTag: 'type:service',
            onlyDependOnLibsWithTags: ['type:lib', 'type:domain', 'type:contracts', 'type:testing'],
          },
          {
            sourceTag: 'type:lib',
            onlyDependOnLibsWithTags: ['type:lib', 'type:domain', 'type:contracts', 'type:testing'],
          },
          { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'] },
          {
            sourceTag: 'type:contracts',
            onlyDependOnLibsWithTags: ['type:contracts', 'type:domain'],
          },
          {
            sourceTag: 'type:testing',
            onlyDependOnLibsWithTags: ['type:lib', 'type:domain', 'type:contracts', 'type:tooling'],
          },
          { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: [] },
          // The client SDK runs in browsers too: it stands alone.
          { sourceTag: 'type:client', onlyDependOnLibsWithTags: [] },
          { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['*'] },
          {
            sourceTag: 'scope:gateway',
            onlyDependOnLibsWithTags: ['scope:gateway', 'scope:shared'],
          },
          {
            sourceTag: 'scope:presence',
            onlyDependOnLibsWithTags: ['scope:presence', 'scope:shared'],
          },
          { sourceTag: 'scope:rooms', onlyDependOnLibsWithTags: ['scope:rooms', 'scope:shared'] },
          {
            sourceTag: 'scope:meetings',
            onlyDependOnLibsWithTags: ['scope:meetings', 'scope:shared'],
          },
          {
            sourceTag: 'scope:notifications',
            onlyDependOnLibsWithTags: ['scope:notifications', 'scope:shared'],
          },
          {
            sourceTag: 'scope:webhooks',
            onlyDependOnLibsWithTags: ['scope:webhooks', 'scope:shared'],
          },
        ],
      },
    ],
  },
};

/** Test helpers start real servers; production code must not import them. */
const noTestingInProduction = {
  files: ['**/src/**/*.ts'],
  ignores: ['**/*.spec.ts', 'libs/testing/**'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: [{ name: '@presence/testing', message: 'Only specs may import @presence/testing.' }],
      },
    ],
  },
};

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: [
      '**/dist',
      '**/out-tsc',
      '**/node_modules',
      '**/vitest.config.*.timestamp*',
      '.data/**',
      'libs/contracts/src/generated/**',
      'test/lint/fixtures/**',
    ],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false } },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      // noUncheckedIndexedAccess makes `!` the honest way to say "this index exists"; keep it allowed.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['**/src/**/index.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message: 'Entry points use explicit named exports (no export *).',
        },
      ],
    },
  },
  moduleBoundaries,
  noTestingInProduction,
  domainPurity,
  {
    files: ['**/package.json'],
    languageOptions: { parser: await import('jsonc-eslint-parser') },
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          ignoredFiles: [
            '{projectRoot}/eslint.config.mjs',
            '{projectRoot}/vitest.config.mts',
            '{projectRoot}/**/*.spec.ts',
          ],
          // bufferutil is loaded by ws at runtime when present (faster masking), never imported.
          ignoredDependencies: ['tslib', 'bufferutil'],
        },
      ],
    },
  },
  prettier,
];
