// @ts-check
// Lint is the first enforcement of the layering rules in docs/architecture.md; test/layering.test.ts is the second.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';

const core = [
  './src/mining',
  './src/synthesis',
  './src/review',
  './src/grading',
  './src/memory',
  './src/guard',
];
const adapters = ['./src/ingest', './src/storage', './src/memory-files', './src/llm', './src/scheduler', './src/runtime'];
const drivers = ['./src/cli', './src/http', './src/mcp'];

/** @type {Array<{ target: string; from: string | string[]; message: string; except?: string[] }>} */
const zones = [
  {
    target: './src/domain',
    from: ['./src/!(domain)/**', './src/*.ts'],
    message: 'domain/ imports only domain/.',
  },
  {
    target: './src/ports',
    from: ['./src/!(domain|ports)/**', './src/*.ts'],
    message: 'ports/ import only domain/ types.',
  },
  ...core.map((target) => ({
    target,
    from: [...adapters, ...drivers, './src/app', './src/config', './src/*.ts'],
    message: 'The functional core imports only domain/, ports/ and other core folders.',
  })),
  {
    target: './src/app',
    from: [...adapters, ...drivers, './src/config', './src/*.ts'],
    message: 'app/ use-cases get adapters injected; they never import them.',
  },
  ...adapters.map((target) => ({
    target,
    from: [...drivers, './src/app', './src/config', './src/*.ts', ...core],
    message: 'Adapters import only domain/, ports/, util/ and their own library.',
  })),
  ...drivers.map((target) => ({
    target,
    from: [...adapters, ...drivers.filter((driver) => driver !== target)],
    message: 'Drivers call app/ use-cases through create-reverie.ts; never adapters or other drivers.',
  })),
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'fixtures/**', 'coverage/**', '**/__fixtures__/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { node: true } },
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
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
