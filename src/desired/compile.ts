import type { DesiredState } from './desired-state.js';
import { buildClusterProgram } from './compile/cluster-program.js';
import type { CompileCache } from './compile/compile-cache.js';
import { compileNode } from './compile/compile-node.js';
import type { IdentityTable } from './identity/index.js';
import type { Model } from './model.js';

export { CompileCache } from './compile/compile-cache.js';
export { CompileError } from './compile/compile-error.js';
export type { CompileErrorCode } from './compile/compile-error.js';
export { compareKeys } from './compile/sorted-entries.js';
export { decodeMaglevTable } from './compile/service/maglev-encoding.js';

export interface CompileOptions {
  /**
   * Identities from an IdentityAllocator run beforehand; without it, the
   * local deterministic allocation is used (same labels → same number on every node).
   */
  readonly identities?: IdentityTable;
  /** Work of earlier compiles to reuse where the declarations are the same objects (see CompileCache). */
  readonly cache?: CompileCache;
}

/** The DesiredState of one node: deep-frozen, sorted, byte-identical for the same model. */
export function compile(model: Model, node: string, opts: CompileOptions = {}): DesiredState {
  return compileNode(buildClusterProgram(model, opts.identities, opts.cache), node);
}

/** Every declared node's DesiredState, sharing the cluster-wide work. */
export function compileAll(model: Model, opts: CompileOptions = {}): ReadonlyMap<string, DesiredState> {
  const program = buildClusterProgram(model, opts.identities, opts.cache);
  return new Map([...program.view.nodes.keys()].map((name) => [name, compileNode(program, name)]));
}
