// Lint as an architecture guard: no floating promises, exhaustive switches,
// apps never import other apps, libs never import apps.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const apps = ['gateway', 'registry', 'verifier', 'notifier', 'dev-ca'];

/** For files of app `self`: forbid reaching into any other app. */
function appBoundary(self) {
  return {
    files: [`apps/${self}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: apps.filter((a) => a !== self).map((a) => ({
          group: [`**/apps/${a}/**`, `**/${a}/src/**`],
          message: `apps never import other apps (${self} -> ${a}); share through libs/`,
        })),
      }],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.cache/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      'no-restricted-syntax': ['error', {
        selector: "MemberExpression[object.name='process'][property.name='env']",
        message: 'read configuration through loadConfig() (libs/common), never process.env',
      }],
    },
  },
  ...apps.map(appBoundary),
  {
    // The gateway's one composition root with another app: COLOCATE hosts the registry's module in the gateway's process.
    files: ['apps/gateway/src/colocation.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: apps.filter((a) => a !== 'gateway' && a !== 'registry').map((a) => ({ group: [`**/apps/${a}/**`, `**/${a}/src/**`], message: `apps never import other apps (gateway -> ${a})` })),
      }],
    },
  },
  {
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/apps/**', '@jointcert/apps*'], message: 'libs never import apps' }],
      }],
    },
  },
  {
    // libs/pki is framework-free and has no hidden clock or network.
    files: ['libs/pki/**/*.ts'],
    ignores: ['libs/pki/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/apps/**'], message: 'libs never import apps' },
          { group: ['@nestjs/*', '@jointcert/common', '@jointcert/contracts'], message: 'libs/pki is framework-free' },
        ],
      }],
    },
  },
  {
    // Entry points are where the environment is read.
    files: ['apps/*/src/main.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      'no-restricted-syntax': 'off',
    },
  },
);
