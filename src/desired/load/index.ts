export { formatFieldPath, type FieldPath } from './field-path.js';
export { LoadCode } from './load-codes.js';
export type { ParsedDocument } from './parsed-document.js';
export { manifestFiles, noteJsonManifest, type ReadLimits } from './manifest-files.js';
export { readYamlFile, type FileRead } from './read-yaml-file.js';
