// Lint profile. Besides the usual checks it enforces the layer rules of docs/architecture.md:
// the sans-IO protocol layers (sip/, sdp/) never import Node built-ins, the runtime, or the
// layers above them.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noNode = {
  patterns: [
    { group: ['node:*'], message: 'sip/ and sdp/ are sans-IO and isomorphic: no Node built-ins (use a platform seam).' },
    { group: ['**/phone/**', '**/api/**', '**/cli/**', '**/main/**', '**/platform/node/**'], message: 'Layers point down only (docs/architecture.md).' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'web/dist/**', 'coverage/**'] },
  js.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/sip/**/*.ts', 'src/sdp/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', noNode],
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'Use the injected Scheduler.' },
        { name: 'setInterval', message: 'Use the injected Scheduler.' },
        { name: 'Buffer', message: 'Use Uint8Array.' },
        { name: 'process', message: 'No runtime globals in sans-IO code.' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts', 'src/cli/**', 'src/main/**'],
    rules: { 'no-console': 'error' },
  },
  {
    // The browser UI talks to the engine only through its API (docs/architecture.md).
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/src/**'], message: 'web/ talks to the API only' }] }] },
  },
);
