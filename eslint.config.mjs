// One lint config for the whole repo: typescript-eslint for correctness, Nx module boundaries
// for architecture (tags on two axes: scope and type), Prettier owns formatting.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.tools/**', '**/coverage/**', '**/.nx/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.ts', '**/*.mjs'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:dataplane', onlyDependOnLibsWithTags: ['scope:dataplane', 'scope:shared'] },
            { sourceTag: 'scope:infra', onlyDependOnLibsWithTags: ['scope:infra', 'scope:shared'] },
            // type:testkit (local OpenSearch, S3 server) is a devDependency: tests import it, and a
            // bundle never does (esbuild would pull its Maven/s3rver code in; the size checks catch it).
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:testkit'] },
            { sourceTag: 'type:lambda', onlyDependOnLibsWithTags: ['type:lib', 'type:testkit'] },
            // Pulumi programs consume Lambda bundles from dist/, never their source.
            { sourceTag: 'type:pulumi-app', onlyDependOnLibsWithTags: ['type:lib', 'type:testkit'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:lambda', 'type:testkit'] },
            { sourceTag: 'type:testkit', onlyDependOnLibsWithTags: ['type:testkit'] },
          ],
        },
      ],
    },
  },
  {
    // A package's build script runs at build time, never ships, and calls the workspace's one
    // Lambda bundler (scripts/bundle-lambda.mjs), which belongs to no project.
    files: ['**/build.mjs'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  prettier,
);
