export { formatFieldPath, type FieldPath } from './field-path.js';
export { LoadCode } from './load-codes.js';
export type { ParsedDocument } from './parsed-document.js';
export { readManifests, type ReadLimits, type ReadResult } from './read-manifests.js';
