// The bundled JS runs as classic scripts in a bare V8 context: no modules, no DOM, no
// Node. Files share top-level `const`s through the context's script scope and say so with
// `/* global */` and `/* exported */` comments, which `no-undef` and `no-unused-vars` check.
const js = require('@eslint/js');

module.exports = [
  js.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'script',
      globals: {
        globalThis: 'readonly',
        WebAssembly: 'readonly',
        BigInt: 'readonly',
        DataView: 'readonly',
        Uint8Array: 'readonly',
      },
    },
    rules: {
      'no-unused-vars': ['error', { vars: 'local', args: 'none', caughtErrors: 'none' }],
      'no-var': 'error',
      'prefer-const': 'error',
      eqeqeq: 'error',
      strict: ['error', 'global'],
    },
  },
];
