import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bpf/', 'coverage/', 'examples/repo/dist/', '**/*.generated.*'] },
  js.configs.recommended,
  { files: ['**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } } },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'koffi', message: 'Only src/datapath/libbpf/ and src/datapath/netlink/ may import koffi.' }],
        },
      ],
    },
  },
  {
    files: ['src/datapath/libbpf/**', 'src/datapath/netlink/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/desired/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/datapath/**', '**/reconciler/**', '**/cli/**'],
              message: 'desired never imports the kernel side or the engine.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/datapath/**'],
    ignores: ['src/datapath/libbpf/**', 'src/datapath/netlink/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'koffi', message: 'Only src/datapath/libbpf/ and src/datapath/netlink/ may import koffi.' }],
          patterns: [{ group: ['**/reconciler/**', '**/cli/**'], message: 'datapath never imports the reconciler.' }],
        },
      ],
    },
  },
  {
    files: ['src/reconciler/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'koffi', message: 'Only src/datapath/libbpf/ and src/datapath/netlink/ may import koffi.' }],
          patterns: [{ group: ['**/cli/**'], message: 'the reconciler never imports the CLI.' }],
        },
      ],
    },
  },
);
