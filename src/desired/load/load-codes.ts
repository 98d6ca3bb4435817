/** Stable codes of the findings made while reading files, before any schema applies. */
export const LoadCode = {
  fileTooLarge: 'E_FILE_TOO_LARGE',
  fileNotText: 'E_FILE_NOT_TEXT',
  yamlSyntax: 'E_YAML_SYNTAX',
  yamlDuplicateKey: 'E_YAML_DUPLICATE_KEY',
  yamlAliasLimit: 'E_YAML_ALIAS_LIMIT',
  yamlTooDeep: 'E_YAML_TOO_DEEP',
  tooManyDocuments: 'E_TOO_MANY_DOCUMENTS',
  yamlWarning: 'W_YAML',
  jsonNotRead: 'W_JSON_NOT_READ',
} as const;
