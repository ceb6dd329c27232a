// The console's linter: ESLint's and typescript-eslint's recommended rules, and the Rules
// of Hooks (with the React Compiler's checks) for every component and hook. `npm run lint`;
// `make lint` runs it beside the type check. Generated code (src/gql) is not linted.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'src/gql/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['src/**/*.{ts,tsx}', 'test/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['vite.config.ts', 'codegen.ts', 'eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
  {
    // Node tests that drive a browser: the callbacks they hand to `page.evaluate` run there.
    files: ['e2e/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
