// ESLint 10 flat config. TypeScript gets typescript-eslint's strictTypeChecked set with type information
// from the root tsconfig.json (projectService), so a .ts file must be inside its `include` to be linted.
// Plain JS (this file, jest.config.js, scripts/*.mjs, bin/*.js) gets the JS recommended set only.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Domain folders of @genops/core take GitHub and the Actions runtime only through interfaces (Deps),
// so they can be tested and run by the CLI without a runner. See style-exemplars §1 and §3.
const domainFolders = ['artifact', 'evidence', 'risk', 'policy', 'canary', 'audit', 'report'];
const boundaryMessage =
  'Domain code takes GitHub through interfaces: accept what you need as a parameter (see Deps) ' +
  'instead of importing core/src/github, core/src/action, @actions/* or @octokit/*.';

export default defineConfig(
  globalIgnores([
    '**/dist/**',
    '**/node_modules/**',
    'packages/core/src/schemas/generated/**',
    'coverage/**',
    '.tmp/**',
    'genops-out/**',
  ]),

  {
    name: 'genops/js',
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: globals.node },
  },

  {
    name: 'genops/ts',
    files: ['**/*.{ts,mts,cts}'],
    extends: [js.configs.recommended, tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers and booleans read fine in messages; `undefined`, objects and any do not. Every option is
      // spelled out, since the ones left out would fall back to the rule's looser defaults.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowAny: false, allowNullish: false, allowRegExp: false, allowNever: false },
      ],
      // Fail-closed checks on data that came from outside (inputs, YAML, API responses) often look
      // "unnecessary" to the type checker; keeping them matters more than this rule.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // It flags every call typed `undefined`, not only `void`, e.g. `return problems.add(...)`, which
      // records a problem and yields undefined on purpose.
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // tsconfig's noFallthroughCasesInSwitch checks this with types: it knows `fail()` returns never.
      'no-fallthrough': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },

  {
    name: 'genops/core-domain-boundary',
    files: domainFolders.map((d) => `packages/core/src/${d}/**/*.ts`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            // ../github/x.js, ../../action/y.js, ... (relative climbs out of the domain folder)
            { regex: '^(\\.\\./)+(github|action)/', message: boundaryMessage },
            { group: ['@actions/*', '@octokit/*'], message: boundaryMessage },
          ],
        },
      ],
    },
  },

  {
    name: 'genops/tests',
    files: ['**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests feed malformed documents on purpose to check that parsing fails closed.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // expect(fake.method).toHaveBeenCalled() and async fakes without an await are normal in tests.
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
);
