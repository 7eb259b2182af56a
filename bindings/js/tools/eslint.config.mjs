// ESLint for the npm package's TypeScript (ts/, types-test/) and JavaScript (scripts, tests,
// demo). Run from bindings/js by `just lint`: eslint -c tools/eslint.config.mjs .
// Recommended rule sets, not type-aware ones: `tsc --noEmit` already type-checks, and the
// type-aware rules would double the run time of a lint that gates every change.
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', '**/node_modules/', 'tools/', 'packaging-tests/*/dist/', 'browser-mcp/dist/'] },
  js.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    // `const { dropped: _d, ...rest } = x` omits a member on purpose.
    rules: { 'no-unused-vars': ['error', { ignoreRestSiblings: true, varsIgnorePattern: '^_' }] },
  },
  {
    files: ['**/*.{ts,cts,mts}'],
    extends: [tseslint.configs.recommended],
    rules: {
      // `_`-prefixed names are deliberately unused (placeholders in signatures).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // The adapters describe the SDK objects structurally (no type import, so the SDKs stay
    // optional peers); a handler parameter typed `unknown` would not accept the SDK's own
    // handlers, so those few positions are `any` by design.
    files: ['ts/mcp/**', 'ts/mcp-v2/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The types tests assert with `@ts-expect-error` lines and `void expr` on purpose.
    files: ['types-test/**'],
    rules: { '@typescript-eslint/ban-ts-comment': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
)
