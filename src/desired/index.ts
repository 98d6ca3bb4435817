// The public face of src/desired: git source → YAML → zod → Model → compile(node).
export * from './source/index.js';
export { validateTree, loadModel, LoadCache, type LoadOptions, type LoadResult } from './load-model.js';
export {
  compile,
  compileAll,
  compileCluster,
  changedKinds,
  type ClusterCompile,
  CompileCache,
  CompileError,
  type CompileOptions,
} from './compile.js';
export { endpointNetns, endpointNetnsPrefix } from './names/index.js';
export type { Model, Declared, PolicyDeclaration, PolicyRule } from './model.js';
export type * from './desired-state.js';
export { RESOURCE_KINDS } from './desired-state.js';
export { ValidationError, formatDiagnostic, type Diagnostic } from './diagnostics.js';
export { errorKindOf, type ErrorKind } from './error-kind.js';
