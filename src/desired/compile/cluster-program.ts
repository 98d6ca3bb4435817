import type { Entry, IdentityValue } from '../desired-state.js';
import type { IdentityTable } from '../identity/index.js';
import type { Declared, Model } from '../model.js';
import type { HealthCheckSpec } from '../schema/health-check.js';
import type { CompileCache } from './compile-cache.js';
import { IpcacheTemplate } from './ipcache-template.js';
import { buildClusterView, type ClusterView } from './cluster-view.js';
import { compilePolicyRules, type PolicyProgram } from './policy/compile-policy-rules.js';
import { compileServiceProgram } from './service/compile-service-program.js';
import { MaglevTables } from './service/maglev-tables.js';
import type { ServiceProgram } from './service/service-program.js';
import { deepFreeze, entry } from './sorted-entries.js';
import { Warnings } from './warnings.js';

/** Everything about a model that is the same for every node, computed once for compileAll. */
export interface ClusterProgram {
  readonly revision: string | null;
  readonly view: ClusterView;
  readonly policy: PolicyProgram;
  /** null when the compile leaves the load-balancer kinds out (see CompileOptions.kinds). */
  readonly services: ServiceProgram | null;
  /** The identity map's entries, sorted and frozen: the same on every node. */
  readonly identity: readonly Entry<IdentityValue>[];
  /** The ipcache entries every node shares, and how a node's own differ (built on a node's first ask). */
  ipcache(): IpcacheTemplate;
  readonly healthChecks: readonly Declared<HealthCheckSpec>[];
  readonly warnings: Warnings;
  /** Where a node's compile may find its entries of an earlier, identical program. */
  readonly cache?: CompileCache;
}

export function buildClusterProgram(
  model: Model,
  identities?: IdentityTable,
  cache?: CompileCache,
  loadBalancing = true,
): ClusterProgram {
  const memo = <T>(slot: string, inputs: readonly unknown[], compute: () => T): T =>
    cache ? cache.memo(slot, inputs, compute) : compute();
  const view = memo('view', [model.cluster, model.nodes, model.endpoints, identities], () =>
    buildClusterView(model, identities),
  );
  const policy = memo('policy', [view, model.policies], () => {
    const warnings = new Warnings();
    return { program: compilePolicyRules(view, model.policies, warnings, cache?.rules), warnings };
  });
  const buildServices = () => {
    const warnings = new Warnings();
    const tables = new MaglevTables(cache?.maglevTables);
    const program = compileServiceProgram(view, model.services, warnings, tables);
    if (cache) cache.maglevTables = tables.tables();
    return { program, warnings };
  };
  const services = loadBalancing ? memo('services', [view, model.services], buildServices) : null;
  // Policies bring CIDR identities; the cache keeps their map the same object while they stay the same.
  const identity = memo('identity', [view, policy.program.cidrIdentities], () =>
    deepFreeze(
      // The value is the identity itself ({id, labels, scope}), not a copy of it for every entry. The
      // identities come in id order, which is their keys' order: no sort.
      policy.program.identities.map((i) => entry(String(i.id), i, i.labels.join(','))),
    ),
  );
  const { cidrIdentities, worldPrefixUsed } = policy.program;
  let template: IpcacheTemplate | undefined;
  const ipcache = () =>
    (template ??= memo(
      'ipcache',
      [view, cidrIdentities, worldPrefixUsed],
      () => new IpcacheTemplate(view, cidrIdentities, worldPrefixUsed),
    ));
  const warnings = new Warnings();
  for (const w of [view.warnings, policy.warnings, services?.warnings]) if (w) warnings.addAll(w);
  return {
    revision: model.revision,
    view,
    policy: policy.program,
    services: services?.program ?? null,
    identity,
    ipcache,
    healthChecks: model.healthChecks ?? [],
    warnings,
    cache,
  };
}
