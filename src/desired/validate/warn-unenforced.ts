import type { FieldPath } from '../load/index.js';
import type { CiliumRule, EgressRule, IngressRule, PortRule } from '../schema/cilium-policy.js';
import type { Reporter } from './internal/reporter.js';
import { ValidateCode } from './validate-codes.js';

type AnyDirectionRule = Partial<IngressRule> & Partial<EgressRule>;

const PEER_FIELDS = [
  'fromNodes',
  'toNodes',
  'fromGroups',
  'toGroups',
  'toServices',
  'toFQDNs',
  'authentication',
] as const;
const PORT_RULE_FIELDS = ['serverNames', 'listener', 'originatingTLS', 'terminatingTLS'] as const;
const DIRECTIONS = ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const;
const CIDR_SETS = ['fromCIDRSet', 'toCIDRSet'] as const;

function notEnforced(r: Reporter, path: FieldPath, what: string): void {
  r.warn(ValidateCode.notEnforced, path, `${what} is parsed but not enforced by gitwire yet; the datapath ignores it`);
}

/**
 * Names every field of a rule that gitwire accepts but its datapath does not
 * enforce yet, so that nothing the user wrote is dropped silently.
 */
export function warnUnenforced(rule: CiliumRule, path: FieldPath, r: Reporter): void {
  if (rule.log) notEnforced(r, [...path, 'log'], 'log');
  for (const dir of DIRECTIONS) {
    const items: readonly AnyDirectionRule[] = rule[dir] ?? [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const at = (...rest: (string | number)[]) => [...path, dir, i, ...rest];
      for (const field of PEER_FIELDS) if (item[field] != null) notEnforced(r, at(field), field);
      for (const set of CIDR_SETS) {
        (item[set] ?? []).forEach((c, j) => {
          if (c.cidrGroupRef !== undefined) notEnforced(r, at(set, j, 'cidrGroupRef'), 'cidrGroupRef');
          if (c.cidrGroupSelector !== undefined) notEnforced(r, at(set, j, 'cidrGroupSelector'), 'cidrGroupSelector');
        });
      }
      const toPorts = item.toPorts ?? [];
      for (let j = 0; j < toPorts.length; j++) {
        const pr = toPorts[j]!;
        // Most port rules are ports alone: nothing to warn about, no path to build.
        if (pr.rules || PORT_RULE_FIELDS.some((field) => pr[field] != null)) warnPortRule(pr, at('toPorts', j), r);
      }
    }
  }
}

function warnPortRule(pr: PortRule, path: FieldPath, r: Reporter): void {
  for (const field of PORT_RULE_FIELDS) if (pr[field] != null) notEnforced(r, [...path, field], field);
  const rules = pr.rules;
  if (!rules) return;
  if (rules.http != null) {
    const msg =
      'L7 HTTP rules are enforced by the HTTP proxy of the node, which runs in `gitwire agent`: after a one-shot apply these ports stay closed (fail closed) until an agent runs the node';
    r.warn(ValidateCode.l7AsL4, [...path, 'rules', 'http'], msg);
    rules.http.forEach((h, i) =>
      (h.headerMatches ?? []).forEach((m, j) => {
        if (m.secret)
          notEnforced(r, [...path, 'rules', 'http', i, 'headerMatches', j, 'secret'], 'headerMatches secret');
      }),
    );
  }
  if (rules.dns != null) notEnforced(r, [...path, 'rules', 'dns'], 'rules.dns (DNS proxy)');
  if (rules.kafka != null) notEnforced(r, [...path, 'rules', 'kafka'], 'rules.kafka');
  if (rules.l7proto !== undefined) notEnforced(r, [...path, 'rules', 'l7proto'], 'l7proto');
  if (rules.l7 != null) notEnforced(r, [...path, 'rules', 'l7'], 'rules.l7');
}
