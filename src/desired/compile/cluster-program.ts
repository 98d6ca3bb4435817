import type { IdentityTable } from '../identity/index.js';
import type { Model } from '../model.js';
import { buildClusterView, type ClusterView } from './cluster-view.js';
import { compilePolicyRules, type PolicyProgram } from './policy/compile-policy-rules.js';
import { compileServiceProgram } from './service/compile-service-program.js';
import type { ServiceProgram } from './service/service-program.js';
import { Warnings } from './warnings.js';

/** Everything about a model that is the same for every node, computed once for compileAll. */
export interface ClusterProgram {
  readonly view: ClusterView;
  readonly policy: PolicyProgram;
  readonly services: ServiceProgram;
  readonly warnings: Warnings;
}

export function buildClusterProgram(model: Model, identities?: IdentityTable): ClusterProgram {
  const view = buildClusterView(model, identities);
  const warnings = new Warnings();
  warnings.addAll(view.warnings);
  const policy = compilePolicyRules(view, warnings);
  const services = compileServiceProgram(view, warnings);
  return { view, policy, services, warnings };
}
