import { formatFieldPath, type FieldPath } from '../load/index.js';
import type { PolicyDeclaration, PolicyKind, PolicyRule } from '../model.js';
import {
  ciliumClusterwideNetworkPolicy,
  ciliumNetworkPolicy,
  ciliumRule,
  type CiliumRule,
} from '../schema/cilium-policy.js';
import { DIRECTION_FIELDS } from '../compile/policy/rule-refs.js';
import { checkPolicyRule } from './check-policy-rule.js';
import { HotSchema, WARMUP } from './internal/hot-schema.js';
import type { Reporter } from './internal/reporter.js';
import { ValidateCode } from './validate-codes.js';
import { warnUnenforced } from './warn-unenforced.js';
import { reportZodIssues } from './zod-issues.js';

const CNP = new HotSchema(ciliumNetworkPolicy, WARMUP);
const CCNP = new HotSchema(ciliumClusterwideNetworkPolicy, WARMUP);

/**
 * Validates one CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy document.
 * Returns its declaration when it is valid; every finding goes to the reporter.
 * When the document fails its schema, rules that pass on their own are still
 * checked, so that one commit reports as many errors as it can at once.
 */
export function validatePolicyDocument(kind: PolicyKind, r: Reporter): PolicyDeclaration | null {
  const clusterwide = kind === 'CiliumClusterwideNetworkPolicy';
  const value = r.doc.value;
  const parsed = (clusterwide ? CCNP : CNP).safeParse(value);
  if (!parsed.success) {
    reportZodIssues(parsed.error.issues, value, [], r);
    for (const { rule, path } of rulesOf(value)) {
      const one = parseIgnoringUnknownKeys(rule);
      if (one) checkPolicyRule(one, path, clusterwide, r);
    }
    return null;
  }
  const policy = parsed.data;
  if (policy.description !== undefined) {
    const msg =
      'a top-level description is not part of the CRD and Kubernetes drops it; gitwire ignores it too (spec.description is the field)';
    r.warn(ValidateCode.droppedField, ['description'], msg);
  }
  if (clusterwide && policy.metadata.namespace !== undefined) {
    const msg = 'CiliumClusterwideNetworkPolicy is cluster-scoped; the namespace is ignored, as Kubernetes does';
    r.warn(ValidateCode.clusterScoped, ['metadata', 'namespace'], msg);
  }
  const found: { data: CiliumRule; path: FieldPath }[] = [];
  if (policy.spec) found.push({ data: policy.spec, path: ['spec'] });
  (policy.specs ?? []).forEach((data, i) => found.push({ data, path: ['specs', i] }));
  if (policy.spec === undefined && policy.specs === undefined) {
    r.error(ValidateCode.policyNoRules, [], 'spec or specs must be provided');
  } else if (found.length === 0) {
    r.warn(ValidateCode.emptyPolicy, ['specs'], 'the policy has no rules (specs is empty)');
  }
  const rules: PolicyRule[] = found.map(({ data, path }) => {
    checkPolicyRule(data, path, clusterwide, r);
    warnUnenforced(data, path, r);
    const source = { file: r.doc.file, line: r.doc.lineOf(path) };
    return { rule: data, path: formatFieldPath(path), source, itemLines: itemLines(data, path, r) };
  });
  return {
    kind,
    name: policy.metadata.name,
    namespace: clusterwide ? null : (policy.metadata.namespace ?? 'default'),
    rules,
    source: { file: r.doc.file, line: r.doc.line },
  };
}

function itemLines(rule: CiliumRule, path: FieldPath, r: Reporter): Record<string, number> {
  const lines: Record<string, number> = {};
  for (const field of DIRECTION_FIELDS) {
    (rule[field] ?? []).forEach((_, i) => (lines[`${field}[${i}]`] = r.doc.lineOf([...path, field, i])));
  }
  return lines;
}

/**
 * A rule whose only fault is unknown keys (already reported) is parsed again
 * without them, so that its other mistakes are reported in the same run.
 */
function parseIgnoringUnknownKeys(rule: unknown): CiliumRule | null {
  const first = ciliumRule.safeParse(rule);
  if (first.success) return first.data;
  const issues = first.error.issues;
  if (!issues.every((i) => i.code === 'unrecognized_keys')) return null;
  const copy = structuredClone(rule);
  for (const issue of issues) {
    const holder = issue.path.reduce<unknown>((v, seg) => (v as Record<PropertyKey, unknown>)[seg], copy);
    for (const key of issue.keys) delete (holder as Record<string, unknown>)[key];
  }
  const second = ciliumRule.safeParse(copy);
  return second.success ? second.data : null;
}

function rulesOf(value: unknown): { rule: unknown; path: (string | number)[] }[] {
  const v = value as { spec?: unknown; specs?: unknown };
  const out: { rule: unknown; path: (string | number)[] }[] = [];
  if (v.spec !== undefined) out.push({ rule: v.spec, path: ['spec'] });
  if (Array.isArray(v.specs)) v.specs.forEach((s, i) => out.push({ rule: s, path: ['specs', i] }));
  return out;
}
