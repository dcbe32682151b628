// @ts-check
// Lint is the first enforcement of the layering rules in docs/architecture.md; test/layering.test.ts is the second.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const core = [
  './src/mining',
  './src/synthesis',
  './src/review',
  './src/grading',
  './src/memory',
  './src/guard',
];
const adapters = [
  './src/ingest',
  './src/storage',
  './src/memory-files',
  './src/llm',
  './src/scheduler',
  './src/runtime',
];
const drivers = ['./src/cli', './src/http', './src/mcp'];
const roots = ['./src/create-reverie.ts', './src/index.ts', './src/test-doubles.ts'];
const everything = [
  './src/domain',
  './src/ports',
  './src/util',
  './src/app',
  './src/config',
  ...core,
  ...adapters,
  ...drivers,
  ...roots,
];
/** @param {string[]} allowed */
const allExcept = (allowed) => everything.filter((folder) => !allowed.includes(folder));

// Plain directory paths only (no globs): import-x rejects zones that mix the two.
/** @type {Array<{ target: string; from: string[]; message: string }>} */
const zones = [
  { target: './src/domain', from: allExcept(['./src/domain']), message: 'domain/ imports only domain/.' },
  { target: './src/util', from: allExcept(['./src/util']), message: 'util/ imports nothing of ours.' },
  {
    target: './src/ports',
    from: allExcept(['./src/domain', './src/ports']),
    message: 'ports/ import only domain/ types.',
  },
  ...core.map((target) => ({
    target,
    from: allExcept(['./src/domain', './src/ports', './src/util', ...core]),
    message: 'The functional core imports only domain/, ports/, util/ and other core folders.',
  })),
  {
    target: './src/app',
    from: allExcept(['./src/domain', './src/ports', './src/util', './src/app', ...core]),
    message: 'app/ use-cases get adapters injected; they never import adapters, drivers or config/.',
  },
  ...adapters.map((target) => ({
    target,
    from: allExcept(['./src/domain', './src/ports', './src/util', target]),
    message: 'Adapters import only domain/, ports/, util/ and their own library, never each other.',
  })),
  {
    target: './src/config',
    from: allExcept(['./src/domain', './src/util', './src/config']),
    message: 'config/ imports only domain/.',
  },
  ...drivers.map((target) => ({
    target,
    from: allExcept([
      './src/domain',
      './src/util',
      './src/app',
      './src/config',
      './src/create-reverie.ts',
      target,
    ]),
    message:
      'Drivers call app/ use-cases through create-reverie.ts; never adapters, the core or other drivers.',
  })),
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-bench/**',
      'dist-eval/**',
      'node_modules/**',
      'fixtures/**',
      'coverage/**',
      '**/__fixtures__/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['bin/*.js', 'test/support/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { zones }],
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings in src/config/load-config.ts only.' },
        {
          object: 'JSON',
          property: 'parse',
          message: 'Use safeParseJson / parseJson from src/util/json.ts.',
        },
        { object: 'Math', property: 'random', message: 'Take an IdGenerator.' },
      ],
    },
  },
  {
    files: [
      'src/domain/**',
      'src/mining/**',
      'src/synthesis/**',
      'src/review/**',
      'src/memory/**',
      'src/guard/**',
    ],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings in src/config/load-config.ts only.' },
        {
          object: 'JSON',
          property: 'parse',
          message: 'Use safeParseJson / parseJson from src/util/json.ts.',
        },
        { object: 'Math', property: 'random', message: 'The core takes an IdGenerator.' },
        {
          object: 'Date',
          property: 'now',
          message: 'The core takes the time as input (a Clock in the shell).',
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'The core takes the time as input.',
        },
      ],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*'], message: 'The core never touches Node.' }] },
      ],
    },
  },
  {
    files: ['src/util/json.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['src/config/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'JSON',
          property: 'parse',
          message: 'Use safeParseJson / parseJson from src/util/json.ts.',
        },
      ],
    },
  },
  {
    files: ['src/cli/**', 'bench/**', 'scripts/**', 'test/**', '**/*.test.ts', 'vitest.config.ts', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.test.ts', '**/*.contract.ts', 'test/**', 'bench/**', 'scripts/**'],
    rules: {
      'no-restricted-properties': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['eslint.config.js', 'bin/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Launchers: standalone scripts that must not load Reverie's modules (the hook must start in milliseconds).
    files: ['bin/**/*.js'],
    languageOptions: { globals: { Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: { 'no-restricted-properties': 'off' },
  },
);
