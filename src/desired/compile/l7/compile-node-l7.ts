import type { Diagnostic } from '../../diagnostics.js';
import type { ClusterProgram } from '../cluster-program.js';
import { CompileError } from '../compile-error.js';
import { localEndpoints } from '../compile-endpoints.js';
import { Warnings } from '../warnings.js';
import { compileL7Rules } from './compile-l7-rules.js';
import type { L7RuleSet } from './l7-rule-set.js';

export interface NodeL7 {
  readonly sets: readonly L7RuleSet[];
  readonly warnings: readonly Diagnostic[];
}

/** The L7 rule sets of one node of a cluster program: what its HTTP proxy enforces. */
export function compileNodeL7(program: ClusterProgram, nodeName: string): NodeL7 {
  const node = program.view.nodes.get(nodeName);
  if (!node) {
    throw new CompileError('E_COMPILE_UNKNOWN_NODE', `node "${nodeName}" is not declared in the model`, {
      node: nodeName,
    });
  }
  const warnings = new Warnings();
  const sets = compileL7Rules(program.view, program.policy, localEndpoints(program.view, node), warnings);
  return { sets, warnings: warnings.list() };
}
