// ESLint: typescript-eslint strict type-checked rules, plus the rule that keeps the pure folders
// pure (docs/architecture.md: no filesystem, processes, containers or logger in planning code),
// and the rule that starts every program through src/io.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const PURE_FOLDERS = ['model', 'control', 'version', 'solver', 'plan', 'drivers', 'report'];
const IO_MODULES = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'child_process',
  'node:child_process', 'dockerode', 'pino'];

export default tseslint.config(
  { ignores: ['.*/**', 'dist/**', 'node_modules/**', 'coverage/**', 'bench/**', 'test/**', 'bin/**', '*.config.*'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      'no-console': 'error',
    },
  },
  {
    // One process runner (src/io/process.ts): every program stubforge starts goes through it.
    files: ['src/**/*.ts'],
    ignores: ['src/io/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['child_process', 'node:child_process'].map((name) => ({ name, message: 'start programs with src/io/process.ts' })),
      }],
    },
  },
  {
    files: PURE_FOLDERS.map((f) => `src/${f}/**/*.ts`),
    rules: {
      'no-restricted-imports': ['error', {
        paths: IO_MODULES.map((name) => ({ name, message: 'pure folder: pass I/O in instead (docs/architecture.md)' })),
      }],
    },
  },
  { files: ['src/cli/**/*.ts'], rules: { 'no-console': 'off' } },
  // Rooms small enough to read: no file over 400 lines; in the executor and the commands, where
  // long functions grew before, no function over 80.
  { files: ['src/**/*.ts'], rules: { 'max-lines': ['error', { max: 400 }] } },
  { files: ['src/executor/**/*.ts', 'src/cli/**/*.ts'], rules: { 'max-lines-per-function': ['error', { max: 80 }] } },
);
