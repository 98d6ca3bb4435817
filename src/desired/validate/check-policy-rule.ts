import type { FieldPath } from '../load/index.js';
import type { CiliumRule, EgressRule, IcmpRule, IngressRule, PortRule } from '../schema/cilium-policy.js';
import { checkCidr, checkCidrRule } from './internal/check-cidr.js';
import { checkLabelSelector } from './internal/check-label-selector.js';
import { checkPortRule } from './internal/check-port-rule.js';
import type { Reporter } from './internal/reporter.js';
import { ValidateCode } from './validate-codes.js';

const INGRESS_PEERS = ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromNodes', 'fromGroups'] as const;
const EGRESS_PEERS = [
  'toEndpoints',
  'toCIDR',
  'toCIDRSet',
  'toEntities',
  'toServices',
  'toFQDNs',
  'toGroups',
  'toNodes',
] as const;

/** ICMP message names Cilium's CRD accepts besides numbers 0-255. */
const ICMP_TYPE_NAMES = new Set(
  (
    'EchoReply DestinationUnreachable Redirect Echo RouterAdvertisement RouterSelection TimeExceeded ' +
    'ParameterProblem Timestamp TimestampReply Photuris ExtendedEchoRequest ExtendedEchoReply PacketTooBig ' +
    'EchoRequest MulticastListenerQuery MulticastListenerReport MulticastListenerDone RouterSolicitation ' +
    'NeighborSolicitation NeighborAdvertisement RedirectMessage RouterRenumbering ICMPNodeInformationQuery ' +
    'ICMPNodeInformationResponse InverseNeighborDiscoverySolicitation InverseNeighborDiscoveryAdvertisement ' +
    'HomeAgentAddressDiscoveryRequest HomeAgentAddressDiscoveryReply MobilePrefixSolicitation ' +
    'MobilePrefixAdvertisement DuplicateAddressRequestCodeSuffix DuplicateAddressConfirmationCodeSuffix'
  ).split(' '),
);

type AnyDirectionRule = Partial<IngressRule> & Partial<EgressRule>;
type Direction = 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny';

const DIRECTIONS: readonly Direction[] = ['ingress', 'ingressDeny', 'egress', 'egressDeny'];
const SELECTOR_PEERS = ['fromEndpoints', 'fromNodes', 'toEndpoints', 'toNodes'] as const;
const CIDR_PEERS = ['fromCIDR', 'toCIDR'] as const;
const CIDR_SET_PEERS = ['fromCIDRSet', 'toCIDRSet'] as const;

const filled = (list: readonly unknown[] | null | undefined): boolean => (list?.length ?? 0) > 0;

/**
 * The checks Cilium's Rule validation makes beyond the CRD's shapes: one
 * selector per rule, at least one direction, peers that may not be combined,
 * CIDRs, ports, L7 and ICMP. `clusterwide` tells a CiliumClusterwideNetworkPolicy.
 */
export function checkPolicyRule(rule: CiliumRule, path: FieldPath, clusterwide: boolean, r: Reporter): void {
  const endpoints = rule.endpointSelector != null;
  const nodes = rule.nodeSelector != null;
  if (!endpoints && !nodes) {
    const msg =
      'a rule needs endpointSelector (or nodeSelector in a clusterwide policy); endpointSelector: {} selects every endpoint';
    r.error(ValidateCode.selector, path, msg);
  } else if (endpoints && nodes) {
    r.error(
      ValidateCode.selector,
      [...path, 'nodeSelector'],
      'endpointSelector and nodeSelector are mutually exclusive',
    );
  } else if (nodes && !clusterwide) {
    const msg =
      'nodeSelector (a host policy) is allowed only in a CiliumClusterwideNetworkPolicy; Cilium rejects it here';
    r.error(ValidateCode.selector, [...path, 'nodeSelector'], msg);
  }
  checkLabelSelector(rule.endpointSelector, [...path, 'endpointSelector'], r);
  checkLabelSelector(rule.nodeSelector, [...path, 'nodeSelector'], r);

  if (!DIRECTIONS.some((d) => (rule[d]?.length ?? 0) > 0)) {
    const msg =
      'a rule needs at least one non-empty ingress, ingressDeny, egress or egressDeny ([{}] selects the direction and denies all of it)';
    r.error(ValidateCode.noDirection, path, msg);
  }
  for (const dir of DIRECTIONS) {
    const items: readonly AnyDirectionRule[] = rule[dir] ?? [];
    for (let i = 0; i < items.length; i++) checkDirectionRule(items[i]!, [...path, dir, i], dir, nodes, r);
  }
}

function checkDirectionRule(item: AnyDirectionRule, path: FieldPath, dir: Direction, host: boolean, r: Reporter): void {
  const ingress = dir === 'ingress' || dir === 'ingressDeny';
  const deny = dir === 'ingressDeny' || dir === 'egressDeny';
  const peers = ingress ? INGRESS_PEERS : EGRESS_PEERS;
  let first: string | undefined;
  for (const p of peers) {
    if (!filled(item[p])) continue;
    if (first === undefined) first = p;
    else {
      const msg = `${first} and ${p} cannot be combined in one rule (Cilium rejects it); write a separate rule for each`;
      r.error(ValidateCode.peerCombination, [...path, p], msg);
    }
  }
  const requires = ingress ? 'fromRequires' : 'toRequires';
  if (filled(item[requires])) {
    const msg = `${requires} is deprecated and refused: Cilium's CRD declares it with maxItems: 0, so the API server rejects any entry; put the required labels into each ${ingress ? 'fromEndpoints' : 'toEndpoints'} selector instead`;
    r.error(ValidateCode.requires, [...path, requires], msg);
  } else if (item[requires] != null) {
    r.warn(
      ValidateCode.deprecated,
      [...path, requires],
      `${requires} is deprecated (maxItems: 0 in Cilium's CRD) and ignored`,
    );
  }

  for (const sel of SELECTOR_PEERS) {
    const list = item[sel];
    // Only matchExpressions can be wrong here; most selectors are matchLabels alone.
    if (list)
      for (let i = 0; i < list.length; i++)
        if (list[i]!.matchExpressions) checkLabelSelector(list[i], [...path, sel, i], r);
  }
  for (const field of CIDR_PEERS) {
    const list = item[field];
    if (list) for (let i = 0; i < list.length; i++) checkCidr(list[i]!, [...path, field, i], r);
  }
  for (const field of CIDR_SET_PEERS) {
    (item[field] ?? []).forEach((c, i) => {
      checkCidrRule(c, [...path, field, i], r);
      checkLabelSelector(c.cidrGroupSelector, [...path, field, i, 'cidrGroupSelector'], r);
    });
  }
  (item.toServices ?? []).forEach((s, i) => {
    checkLabelSelector(s.k8sServiceSelector?.selector, [...path, 'toServices', i, 'k8sServiceSelector', 'selector'], r);
  });

  const toPorts: readonly PortRule[] = item.toPorts ?? [];
  if (filled(item.icmps) && toPorts.length > 0) {
    const msg = 'icmps and toPorts cannot be in the same rule (Cilium rejects it); define a separate rule for ICMP';
    r.error(ValidateCode.icmp, [...path, 'toPorts'], msg);
  }
  if (filled(item.toServices) && toPorts.length > 0) {
    r.error(
      ValidateCode.peerCombination,
      [...path, 'toPorts'],
      'toServices cannot be combined with toPorts (Cilium rejects it)',
    );
  }
  if (toPorts.length > 0) {
    const ctx = { ingress, deny, host };
    for (let i = 0; i < toPorts.length; i++) checkPortRule(toPorts[i]!, [...path, 'toPorts', i], ctx, r);
  }
  (item.icmps ?? []).forEach((icmp, i) => checkIcmp(icmp, [...path, 'icmps', i], r));
}

function checkIcmp(icmp: IcmpRule, path: FieldPath, r: Reporter): void {
  icmp.fields.forEach((f, i) => {
    const ok =
      typeof f.type === 'number'
        ? f.type >= 0 && f.type <= 255
        : ICMP_TYPE_NAMES.has(f.type) || /^([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])$/.test(f.type);
    if (!ok)
      r.error(
        ValidateCode.icmp,
        [...path, 'fields', i, 'type'],
        `"${f.type}" is not an ICMP type (0-255 or a name such as EchoRequest)`,
      );
  });
}
