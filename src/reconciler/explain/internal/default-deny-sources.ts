import { compile, type CompileCache, type Direction, type Model, type PolicyRule } from '../../../desired/index.js';

/** A policy rule that turns on default deny for an endpoint's direction. */
export interface DefaultDenySource {
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
  /** The rule's path in its document (`spec`, `specs[1]`). */
  readonly path: string;
  readonly file: string;
  readonly line: number;
}

/**
 * The rules that put `endpoint` (namespace/name) on `node` into default deny
 * for `direction`. Compile records only the resulting flag, so each candidate
 * rule is compiled on its own and asked: the answer is compile's, not a second
 * implementation of selection.
 */
export function defaultDenySources(
  model: Model,
  node: string,
  endpoint: { readonly namespace: string; readonly name: string },
  direction: Direction,
  cache: CompileCache,
): readonly DefaultDenySource[] {
  const id = `${node}\0${endpoint.namespace}/${endpoint.name}\0${direction}`;
  let known = answers.get(model);
  if (!known) answers.set(model, (known = new Map()));
  const hit = known.get(id);
  if (hit) return hit;
  const fields = direction === 'ingress' ? (['ingress', 'ingressDeny'] as const) : (['egress', 'egressDeny'] as const);
  const sources: DefaultDenySource[] = [];
  for (const policy of model.policies) {
    for (const rule of policy.rules) {
      if (!fields.some((f) => (rule.rule[f] ?? []).length > 0)) continue;
      const alone: Model = { ...model, policies: [{ ...policy, rules: [rule] }] };
      if (enforced(alone, node, endpoint, direction, cache)) sources.push(sourceOf(policy, rule));
    }
  }
  known.set(id, sources);
  return sources;
}

/** A model's declarations do not change once loaded: each answer is computed once (impact asks per observed flow). */
const answers = new WeakMap<Model, Map<string, readonly DefaultDenySource[]>>();

function enforced(
  model: Model,
  node: string,
  endpoint: { readonly namespace: string; readonly name: string },
  direction: Direction,
  cache: CompileCache,
): boolean {
  const ep = compile(model, node, { cache }).resources.endpoint.find(
    (e) => e.value.namespace === endpoint.namespace && e.value.name === endpoint.name,
  )?.value;
  return direction === 'ingress' ? ep?.enforceIngress === true : ep?.enforceEgress === true;
}

function sourceOf(policy: Model['policies'][number], rule: PolicyRule): DefaultDenySource {
  return {
    kind: policy.kind,
    namespace: policy.namespace,
    name: policy.name,
    path: rule.path,
    file: rule.source.file,
    line: rule.source.line,
  };
}
