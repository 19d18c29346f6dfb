// ESLint with typescript-eslint's type-aware rules: `npm run lint` (docs/adr/0013-layers.md).
// Formatting is Prettier's (`npm run format`, checked in .ci/run); ESLint checks what a formatter
// cannot: a function over 80 lines, a line over 120 characters that Prettier could not wrap (a long
// string or comment). A rule is off or a warning only with its reason below.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Rules of the recommended set that still find places in code the parallel issue-11 branches
 * are rewriting (drive-run, compile-items, the stores, the CLI verbs): warnings until those
 * merge, then errors. New code should not add to them.
 */
const PENDING_AFTER_MERGE = [
  '@typescript-eslint/no-unnecessary-type-assertion',
  '@typescript-eslint/no-base-to-string',
  '@typescript-eslint/no-unused-vars',
  '@typescript-eslint/restrict-template-expressions',
  '@typescript-eslint/unbound-method',
  '@typescript-eslint/no-unsafe-assignment',
  '@typescript-eslint/no-unsafe-member-access',
  '@typescript-eslint/no-unsafe-return',
  '@typescript-eslint/no-unsafe-call',
  '@typescript-eslint/no-unsafe-argument',
  '@typescript-eslint/no-unused-expressions',
  '@typescript-eslint/no-this-alias',
  '@typescript-eslint/no-duplicate-type-constituents',
  '@typescript-eslint/restrict-plus-operands',
  'no-regex-spaces',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'examples/**', '**/*.mjs', '**/*.cjs', 'bin/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test/describe/it return promises the runner awaits itself.
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      // Off: the stores, object stores and engine implement Promise-returning interfaces; an
      // implementation with nothing to await is still `async` so that it throws as a rejection.
      '@typescript-eslint/require-await': 'off',
      ...Object.fromEntries(PENDING_AFTER_MERGE.map((rule) => [rule, 'warn'])),
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts', 'src/**/*.contract.ts'],
    rules: {
      // Warnings until the parallel issue-12 branches (run machine, planning seam) land; then errors.
      'max-lines-per-function': ['warn', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
      'max-len': ['warn', { code: 120, ignoreUrls: true }],
    },
  },
);
