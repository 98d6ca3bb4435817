import type { PolicyRule } from '../../model.js';
import type { IngressRule, PortRule } from '../../schema/cilium-policy.js';
import type { Warnings } from '../warnings.js';
import { icmpTypeNumber } from './icmp-types.js';
import { MAX_PORT, numericPort } from './port-blocks.js';

/** An ingress or egress item, read through the fields of either direction. */
export type AnyPeerRule = IngressRule & {
  toEndpoints?: IngressRule['fromEndpoints'];
  toCIDR?: IngressRule['fromCIDR'];
  toCIDRSet?: IngressRule['fromCIDRSet'];
  toEntities?: IngressRule['fromEntities'];
  toRequires?: unknown[] | null;
  toGroups?: unknown[] | null;
  toNodes?: unknown[] | null;
  toServices?: unknown[] | null;
  toFQDNs?: unknown[] | null;
};

/**
 * The peer fields gitwire parses but cannot enforce that an item names: an
 * item naming one is not a wildcard, it simply selects no peer through that
 * field. Read by name: a loop over key names costs more while the code is cold.
 */
export function unsupportedPeers(item: AnyPeerRule, ingress: boolean): string[] {
  const out: string[] = [];
  if (ingress) {
    if (some(item.fromRequires)) out.push('fromRequires');
    if (some(item.fromGroups)) out.push('fromGroups');
    if (some(item.fromNodes)) out.push('fromNodes');
  } else {
    if (some(item.toRequires)) out.push('toRequires');
    if (some(item.toGroups)) out.push('toGroups');
    if (some(item.toNodes)) out.push('toNodes');
    if (some(item.toServices)) out.push('toServices');
    if (some(item.toFQDNs)) out.push('toFQDNs');
  }
  return out;
}

function some(list: readonly unknown[] | null | undefined): boolean {
  return list !== undefined && list !== null && list.length > 0;
}

/**
 * The warnings of one ingress/egress item: what gitwire parses but does not
 * enforce, and what allows nothing. They are the same whichever node compiles
 * the rule, so they are found for every rule while the item's entries are
 * built only for the nodes the rule selects endpoints on. A path is made only
 * for a warning: most items warn about nothing.
 */
export function itemWarnings(
  warnings: Warnings,
  pr: PolicyRule,
  path: string,
  item: AnyPeerRule,
  ingress: boolean,
  deny: boolean,
): void {
  const from = ingress ? 'from' : 'to';
  const unsupported = 'W_UNSUPPORTED_FIELD';
  for (const f of unsupportedPeers(item, ingress))
    warnings.add(unsupported, pr.source, `${path}.${f}`, `${f} is not enforced yet; it selects no peer`);
  if (item.authentication && item.authentication.mode !== 'disabled')
    warnings.add(unsupported, pr.source, `${path}.authentication`, 'mutual authentication is not enforced yet');
  const sets = ingress ? item.fromCIDRSet : item.toCIDRSet;
  sets?.forEach((set, i) => {
    if (set.cidrGroupRef !== undefined || set.cidrGroupSelector !== undefined) {
      const where = `${path}.${from}CIDRSet[${i}]`;
      warnings.add(unsupported, pr.source, where, 'CIDR groups are not supported yet; they select no peer');
    }
  });
  if (((ingress ? item.fromEntities : item.toEntities) ?? []).includes('cluster-mesh')) {
    const where = `${path}.${from}Entities`;
    warnings.add(unsupported, pr.source, where, 'entity cluster-mesh is not supported; it selects no peer');
  }
  item.toPorts?.forEach((rule, i) => portRuleWarnings(warnings, pr, path, i, rule, deny));
  item.icmps?.forEach((icmp, i) =>
    icmp.fields.forEach((f, j) => {
      const where = `${path}.icmps[${i}].fields[${j}]`;
      if (f.family === 'IPv6') {
        const message = 'ICMPv6 is not supported (gitwire is IPv4 only); the field allows nothing';
        warnings.add('W_ICMPV6_UNSUPPORTED', pr.source, where, message);
      } else if (icmpTypeNumber(f.type) === null) {
        const message = `unknown ICMP type "${f.type}"; the field allows nothing`;
        warnings.add('W_ICMP_TYPE_UNKNOWN', pr.source, `${where}.type`, message);
      }
    }),
  );
}

function portRuleWarnings(
  warnings: Warnings,
  pr: PolicyRule,
  itemPath: string,
  index: number,
  rule: PortRule,
  deny: boolean,
): void {
  const warn = (field: string, code: string, message: string) =>
    warnings.add(code, pr.source, `${itemPath}.toPorts[${index}].${field}`, message);
  const l7 = rule.rules;
  if (l7) {
    if (deny) warn('rules', 'W_UNSUPPORTED_FIELD', 'L7 rules do not apply to deny rules; ignored');
    for (const f of ['dns', 'kafka', 'l7'] as const) {
      if (some(l7[f]))
        warn(`rules.${f}`, 'W_UNSUPPORTED_FIELD', `L7 ${f} rules are not enforced yet; the ports are allowed at L4`);
    }
    if (l7.l7proto)
      warn('rules.l7proto', 'W_UNSUPPORTED_FIELD', 'l7proto is not enforced yet; the ports are allowed at L4');
  }
  if (rule.serverNames || rule.listener || rule.originatingTLS || rule.terminatingTLS) {
    for (const f of ['serverNames', 'listener', 'originatingTLS', 'terminatingTLS'] as const) {
      if (rule[f]) warn(f, 'W_UNSUPPORTED_FIELD', `${f} is not enforced yet`);
    }
  }
  rule.ports?.forEach((pp, i) => {
    const port = numericPort(pp.port);
    if (port !== null && port > MAX_PORT)
      warn(`ports[${i}].port`, 'W_PORT_OUT_OF_RANGE', `port ${port} is out of range; allows nothing`);
  });
}
