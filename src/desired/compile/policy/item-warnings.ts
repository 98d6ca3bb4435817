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

// Peer fields gitwire parses but cannot enforce: a rule naming one of them is
// not a wildcard, it simply selects no peer through that field.
export const UNSUPPORTED_PEERS = [
  'fromRequires',
  'fromGroups',
  'fromNodes',
  'toRequires',
  'toGroups',
  'toNodes',
  'toServices',
  'toFQDNs',
] as const;

/**
 * The warnings of one ingress/egress item: what gitwire parses but does not
 * enforce, and what allows nothing. They are the same whichever node compiles
 * the rule, so they are found for every rule while the item's entries are
 * built only for the nodes the rule selects endpoints on.
 */
export function itemWarnings(
  warnings: Warnings,
  pr: PolicyRule,
  path: string,
  item: AnyPeerRule,
  ingress: boolean,
  deny: boolean,
): void {
  const warn = (where: string, code: string, message: string) => warnings.add(code, pr.source, where, message);
  const from = ingress ? 'from' : 'to';
  for (const f of UNSUPPORTED_PEERS) {
    if (f.startsWith(from) && (item[f] ?? []).length > 0)
      warn(`${path}.${f}`, 'W_UNSUPPORTED_FIELD', `${f} is not enforced yet; it selects no peer`);
  }
  if (item.authentication && item.authentication.mode !== 'disabled')
    warn(`${path}.authentication`, 'W_UNSUPPORTED_FIELD', 'mutual authentication is not enforced yet');
  ((ingress ? item.fromCIDRSet : item.toCIDRSet) ?? []).forEach((set, i) => {
    if (set.cidrGroupRef !== undefined || set.cidrGroupSelector !== undefined)
      warn(
        `${path}.${from}CIDRSet[${i}]`,
        'W_UNSUPPORTED_FIELD',
        'CIDR groups are not supported yet; they select no peer',
      );
  });
  for (const e of (ingress ? item.fromEntities : item.toEntities) ?? []) {
    if (e === 'cluster-mesh')
      warn(
        `${path}.${from}Entities`,
        'W_UNSUPPORTED_FIELD',
        'entity cluster-mesh is not supported; it selects no peer',
      );
  }
  (item.toPorts ?? []).forEach((rule, i) => portRuleWarnings(warn, `${path}.toPorts[${i}]`, rule, deny));
  (item.icmps ?? []).forEach((icmp, i) =>
    icmp.fields.forEach((f, j) => {
      const where = `${path}.icmps[${i}].fields[${j}]`;
      if (f.family === 'IPv6')
        warn(where, 'W_ICMPV6_UNSUPPORTED', 'ICMPv6 is not supported (gitwire is IPv4 only); the field allows nothing');
      else if (icmpTypeNumber(f.type) === null)
        warn(`${where}.type`, 'W_ICMP_TYPE_UNKNOWN', `unknown ICMP type "${f.type}"; the field allows nothing`);
    }),
  );
}

type Warn = (where: string, code: string, message: string) => void;

function portRuleWarnings(warn: Warn, path: string, rule: PortRule, deny: boolean): void {
  if (deny && rule.rules) warn(`${path}.rules`, 'W_UNSUPPORTED_FIELD', 'L7 rules do not apply to deny rules; ignored');
  for (const f of ['dns', 'kafka', 'l7'] as const) {
    if ((rule.rules?.[f] ?? []).length > 0)
      warn(
        `${path}.rules.${f}`,
        'W_UNSUPPORTED_FIELD',
        `L7 ${f} rules are not enforced yet; the ports are allowed at L4`,
      );
  }
  if (rule.rules?.l7proto)
    warn(`${path}.rules.l7proto`, 'W_UNSUPPORTED_FIELD', 'l7proto is not enforced yet; the ports are allowed at L4');
  for (const f of ['serverNames', 'listener', 'originatingTLS', 'terminatingTLS'] as const) {
    if (rule[f]) warn(`${path}.${f}`, 'W_UNSUPPORTED_FIELD', `${f} is not enforced yet`);
  }
  (rule.ports ?? []).forEach((pp, i) => {
    const port = numericPort(pp.port);
    if (port !== null && port > MAX_PORT)
      warn(`${path}.ports[${i}].port`, 'W_PORT_OUT_OF_RANGE', `port ${port} is out of range; allows nothing`);
  });
}
