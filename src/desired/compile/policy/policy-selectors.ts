import { NAMESPACE_LABEL, NAMESPACE_LABELS_PREFIX } from '../../identity/index.js';
import type { PolicyDeclaration } from '../../model.js';
import type { LabelSelector } from '../../schema/meta.js';
import {
  parseSelector,
  selectorFrom,
  selectorHasKey,
  selectorHasKeyPrefix,
  selectorHasSource,
  selectorRequirements,
  withRequirement,
  type Selector,
} from '../../selector/index.js';

/**
 * The endpoints a rule applies to. A namespaced policy always applies in its own
 * namespace only (Cilium drops any other namespace the selector names); a
 * clusterwide policy applies as written, `{}` being every endpoint.
 */
export function subjectSelector(
  policy: PolicyDeclaration,
  selector: LabelSelector,
): { selector: Selector; ignoredNamespace: boolean } {
  const reqs = selectorRequirements(selector);
  const ns = policy.namespace;
  if (ns === null) return { selector: selectorFrom(reqs), ignoredNamespace: false };
  const own = reqs.filter((r) => r.key !== NAMESPACE_LABEL);
  // Naming the policy's own namespace (`In` that one value, however often written) is not ignoring it.
  const ignoredNamespace = reqs.some(
    (r) =>
      r.key === NAMESPACE_LABEL && !(r.operator === 'In' && r.values.length > 0 && r.values.every((v) => v === ns)),
  );
  own.push({ source: 'k8s', key: NAMESPACE_LABEL, operator: 'In', values: [ns] });
  return { selector: selectorFrom(own), ignoredNamespace };
}

/**
 * A from/toEndpoints selector with Cilium's namespace scoping: restricted to the
 * policy's namespace unless it names the namespace (or namespace labels) itself;
 * in a clusterwide policy restricted to endpoints that have a namespace, so that
 * `{}` means every pod, not every identity. Selectors of reserved labels stay as written.
 */
export function peerSelector(
  policy: PolicyDeclaration,
  selector: LabelSelector,
  subjectMatchesInit: boolean,
): Selector {
  const parsed = parseSelector(selector);
  if (selectorHasSource(parsed, 'reserved') || selectorHasKey(parsed, NAMESPACE_LABEL)) return parsed;
  if (policy.namespace === null) {
    return subjectMatchesInit
      ? parsed
      : withRequirement(parsed, { source: 'k8s', key: NAMESPACE_LABEL, operator: 'Exists', values: [] });
  }
  if (selectorHasKeyPrefix(parsed, NAMESPACE_LABELS_PREFIX)) return parsed;
  return withRequirement(parsed, { source: 'k8s', key: NAMESPACE_LABEL, operator: 'In', values: [policy.namespace] });
}
