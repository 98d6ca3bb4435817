import type { RuleRef } from '../../desired-state.js';
import { allocateCidrIdentities, cidrLabels } from '../../identity/index.js';
import type { PolicyDeclaration, PolicyRule } from '../../model.js';
import type { CidrRule } from '../../schema/cilium-policy.js';
import { SelectorIndex } from '../../selector/index.js';
import type { ClusterView, IdentityInfo } from '../cluster-view.js';
import { formatCidr, parseCidr } from '../ipv4.js';
import { Warnings } from '../warnings.js';
import type { CompiledRule } from './compiled-rule.js';
import { itemWarnings, type AnyPeerRule } from './item-warnings.js';
import { isIngress, LazyRule, type RuleContext } from './lazy-rule.js';
import { subjectSelector } from './policy-selectors.js';
import type { IdentityIndex, RuleMemo } from './rule-memo.js';
import { DIRECTION_FIELDS, directionLists, ruleRefs } from './rule-refs.js';

/** Every policy of the model, with peers resolved against the cluster's identities. */
export interface PolicyProgram {
  readonly rules: readonly CompiledRule[];
  /** CIDR prefix → its node-local identity; 0.0.0.0/0 is `world` and not listed. */
  readonly cidrIdentities: ReadonlyMap<string, number>;
  /** Reserved, endpoint and CIDR identities, sorted by id. */
  readonly identities: readonly IdentityInfo[];
  /** Some rule names 0.0.0.0/0, so the ipcache maps it to `world` explicitly. */
  readonly worldPrefixUsed: boolean;
  /**
   * Some allow item carries HTTP rules: without one no node has an L7 rule set
   * (nor a warning about one), so a node's compile need not select every
   * rule's endpoints again for them.
   */
  readonly httpRules: boolean;
}

const WORLD_PREFIX = '0.0.0.0/0';

export function compilePolicyRules(
  view: ClusterView,
  policies: readonly PolicyDeclaration[],
  warnings: Warnings,
  memo?: RuleMemo,
): PolicyProgram {
  const refs = ruleRefs(policies, memo);
  const cidrs = collectCidrs(policies, warnings);
  const allocated = allocateCidrIdentities(cidrs.prefixes);
  const cidrIdentities = memo ? memo.stableCidr(allocated) : allocated;
  const build = () => identityIndex(view, cidrIdentities);
  const { identities, index } = memo ? memo.identities(view, cidrIdentities, build) : build();
  const rules: CompiledRule[] = [];
  let httpRules = false;
  // Indexed loops over every rule here and in the walks below: a for-of or forEach costs more per step while cold.
  for (let p = 0; p < policies.length; p++) {
    const policy = policies[p]!;
    for (let r = 0; r < policy.rules.length; r++) {
      const rule = policy.rules[r]!;
      const itemRefs = refs[p]![r]!;
      const earlier = memo?.get(policy, rule, view, cidrIdentities, itemRefs);
      if (earlier) {
        warnings.addAll(earlier.warnings);
        rules.push(earlier.compiled);
        httpRules ||= earlier.compiled.http;
        continue;
      }
      const own = new Warnings();
      const compiled = compileRule({ view, warnings: own, cidrIdentities, index }, policy, rule, itemRefs);
      warnings.addAll(own);
      memo?.set(rule, { view, cidr: cidrIdentities, compiled, warnings: own });
      rules.push(compiled);
      httpRules ||= compiled.http;
    }
  }
  return { rules, cidrIdentities, identities, worldPrefixUsed: cidrs.world, httpRules };
}

function identityIndex(view: ClusterView, cidrIdentities: ReadonlyMap<string, number>): IdentityIndex {
  const identities = [
    ...view.identities,
    ...[...cidrIdentities].map(([prefix, id]): IdentityInfo => ({ id, labels: cidrLabels(prefix), scope: 'cidr' })),
  ].sort((a, b) => a.id - b.id);
  return { identities, index: new SelectorIndex(identities, (i) => i.labels) };
}

interface Ctx extends RuleContext {
  readonly warnings: Warnings;
}

function compileRule(ctx: Ctx, policy: PolicyDeclaration, pr: PolicyRule, refs: readonly RuleRef[]): CompiledRule {
  const r = pr.rule;
  let subject = null;
  if (r.endpointSelector) {
    const s = subjectSelector(policy, r.endpointSelector);
    if (s.ignoredNamespace) {
      warn(
        ctx,
        pr,
        `${pr.path}.endpointSelector`,
        'W_POLICY_NAMESPACE_IGNORED',
        `a ${policy.kind} applies in its own namespace "${policy.namespace}" only; the namespace in the selector is ignored`,
      );
    }
    subject = s.selector;
  } else if (r.nodeSelector) {
    warn(
      ctx,
      pr,
      `${pr.path}.nodeSelector`,
      'W_HOST_POLICY_UNSUPPORTED',
      'host policies (nodeSelector) are not enforced yet; this rule selects no endpoint',
    );
  } else {
    warn(
      ctx,
      pr,
      pr.path,
      'W_POLICY_SELECTS_NOTHING',
      'the rule has neither endpointSelector nor nodeSelector and selects nothing',
    );
  }
  const lists = directionLists(r);
  let k = 0;
  for (let f = 0; f < DIRECTION_FIELDS.length; f++) {
    const list = lists[f];
    if (!list) continue;
    const field = DIRECTION_FIELDS[f]!;
    for (let i = 0; i < list.length; i++) {
      itemWarnings(ctx.warnings, pr, refs[k++]!.path, list[i] as AnyPeerRule, isIngress(field), field.endsWith('Deny'));
    }
  }
  return new LazyRule(ctx, policy, pr, subject, refs);
}

function collectCidrs(
  policies: readonly PolicyDeclaration[],
  warnings: Warnings,
): { prefixes: Set<string>; world: boolean } {
  const prefixes = new Set<string>();
  let world = false;
  const add = (text: string, pr: PolicyRule, path: string) => {
    const c = parseCidr(text);
    if (!c) {
      warnings.add(
        'W_CIDR_UNSUPPORTED',
        pr.source,
        path,
        `"${text}" is not an IPv4 CIDR (gitwire is IPv4 only); it selects nothing`,
      );
      return;
    }
    if (formatCidr(c) === WORLD_PREFIX) world = true;
    else prefixes.add(formatCidr(c));
  };
  for (let p = 0; p < policies.length; p++) {
    const rules = policies[p]!.rules;
    for (let r = 0; r < rules.length; r++) {
      const pr = rules[r]!;
      const lists = directionLists(pr.rule);
      for (let f = 0; f < DIRECTION_FIELDS.length; f++) {
        const list = lists[f] ?? [];
        for (let i = 0; i < list.length; i++) {
          const item = list[i] as AnyPeerRule;
          const dir = isIngress(DIRECTION_FIELDS[f]!) ? 'from' : 'to';
          const cidrs = (dir === 'from' ? item.fromCIDR : item.toCIDR) ?? [];
          const sets: CidrRule[] = (dir === 'from' ? item.fromCIDRSet : item.toCIDRSet) ?? [];
          if (cidrs.length + sets.length === 0) continue;
          const base = `${pr.path}.${DIRECTION_FIELDS[f]}[${i}]`;
          cidrs.forEach((c, j) => add(c, pr, `${base}.${dir}CIDR[${j}]`));
          sets.forEach((s, j) => {
            if (s.cidr !== undefined) add(s.cidr, pr, `${base}.${dir}CIDRSet[${j}].cidr`);
            (s.except ?? []).forEach((e, k) => add(e, pr, `${base}.${dir}CIDRSet[${j}].except[${k}]`));
          });
        }
      }
    }
  }
  return { prefixes, world };
}

function warn(ctx: Ctx, pr: PolicyRule, path: string, code: string, message: string): void {
  ctx.warnings.add(code, pr.source, path, message);
}
