// ESLint flat config: the browser front end (www/), the e2e tests, the Node tests and scripts.
import js from '@eslint/js';
import globals from 'globals';

export default [
  {
    ignores: [
      'www/pkg/**',
      'www/vendor/**',
      'www/pruning-playground.js',
      'packages/element/dist/**',
      'node_modules/**',
      'target/**',
      'test-results/**',
      'playwright-report/**',
      'e2e/artifacts/**',
      'dist/**',
    ],
  },
  js.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2025, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always'],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  {
    files: ['www/**/*.js'],
    ignores: ['www/worker.js', 'www/sw.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['www/worker.js'],
    languageOptions: { globals: { ...globals.worker } },
  },
  {
    files: ['www/sw.js'],
    languageOptions: { globals: { ...globals.serviceworker } },
  },
  {
    files: ['bench/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['e2e/**/*.{js,mjs}', 'tests/**/*.{js,mjs}', 'scripts/**/*.{js,mjs}', 'bench/**/*.mjs', '*.config.{js,mjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
];
